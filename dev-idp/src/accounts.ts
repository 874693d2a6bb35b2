/** Where the demo groups live when the IdP names them by LDAP DN (`DEV_IDP_GROUPS=dns`), as the test kit's slapd does. */
export const DEMO_GROUP_BASE = 'ou=groups,dc=corp,dc=example';

/** The demo users' one-time code (their second factor), shown on the IdP's code page. Development only. */
export const DEMO_ONE_TIME_CODE = '123456';

/** The authentication context classes the development IdP issues (`acr`), weakest first. */
export const DEV_ACR = { password: 'urn:bff:loa:pwd', mfa: 'urn:bff:loa:mfa' } as const;

/** A demo user of the development identity provider. */
export interface DemoAccount {
  readonly sub: string;
  readonly login: string;
  readonly password: string;
  readonly name: string;
  readonly email: string;
  readonly groups: readonly string[];
  /**
   * Every group the user is in, the application's and the others (`staff`, as in the test kit's
   * directory): what a provider that releases all of a user's memberships sends (`DEV_IDP_GROUPS=joined`).
   */
  readonly memberships: readonly string[];
}

/**
 * The demo users. Development only: the passwords are published in the README.
 */
export const DEMO_ACCOUNTS: readonly DemoAccount[] = [
  {
    sub: 'alice',
    login: 'alice',
    password: 'alice',
    name: 'Alice Martin',
    email: 'alice@example.test',
    groups: ['analysts'],
    memberships: ['analysts', 'staff'],
  },
  {
    sub: 'bob',
    login: 'bob',
    password: 'bob',
    name: 'Bob Durand',
    email: 'bob@example.test',
    groups: [],
    memberships: ['staff'],
  },
];

/** Finds the account whose login and password both match. */
export function authenticate(login: string, password: string): DemoAccount | undefined {
  return DEMO_ACCOUNTS.find((account) => account.login === login && account.password === password);
}

export function findAccountBySub(sub: string): DemoAccount | undefined {
  return DEMO_ACCOUNTS.find((account) => account.sub === sub);
}

/** A demo group's LDAP DN, e.g. `cn=analysts,ou=groups,dc=corp,dc=example`. */
export function demoGroupDn(group: string): string {
  return `cn=${group},${DEMO_GROUP_BASE}`;
}
