import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attemptLogin, Browser, call, FRONT, startStack, type Stack } from '@bff/test-kit';
import * as server from '../testing/test-app.js';
import type { Bff as Api } from '../bff.js';

const userinfoRequests = (stack: Stack<Api>) => stack.idpRequests.filter((path) => path === '/me').length;

async function signIn(stack: Stack<Api>, user = 'alice'): Promise<{ browser: Browser; landed: URL }> {
  const browser = new Browser();
  return { browser, landed: new URL(await attemptLogin(stack, browser, user)) };
}

describe('profile claims only at userinfo (DEV_IDP_CLAIMS=userinfo, OIDC Core §5.4)', () => {
  let strict: Stack<Api>;
  let never: Stack<Api>;
  let classic: Stack<Api>;
  let groups: Stack<Api>;
  beforeAll(async () => {
    [strict, never, classic, groups] = await Promise.all([
      startStack(server, { devIdp: { claims: 'userinfo' } }),
      startStack(server, { devIdp: { claims: 'userinfo' }, env: { OIDC_USERINFO: 'never' } }),
      startStack(server),
      startStack(server, { devIdp: { claims: 'userinfo', groups: 'joined' }, env: { GROUPS_SOURCE: 'userinfo' } }),
    ]);
  });
  afterAll(() => Promise.all([strict?.close(), never?.close(), classic?.close(), groups?.close()]));

  it('fetches userinfo when the ID token lacks name and email: me has them', async () => {
    const { browser, landed } = await signIn(strict);
    expect(landed.searchParams.get('auth_error')).toBeNull();
    expect((await call(strict, browser, 'me')).body.result.data.user).toMatchObject({ sub: 'alice', name: 'Alice Martin', email: 'alice@example.test' });
    expect(userinfoRequests(strict)).toBe(1);
  });

  it('with OIDC_USERINFO=never the name falls back to sub and the email to null (what users saw before)', async () => {
    const { browser } = await signIn(never);
    expect((await call(never, browser, 'me')).body.result.data.user).toMatchObject({ sub: 'alice', name: 'alice', email: null });
    expect(userinfoRequests(never)).toBe(0);
  });

  it('does not ask userinfo when the ID token and the access token already carry every requested claim', async () => {
    const { browser } = await signIn(classic);
    expect((await call(classic, browser, 'me')).body.result.data.user).toMatchObject({ name: 'Alice Martin', email: 'alice@example.test' });
    expect(userinfoRequests(classic)).toBe(0);
  });

  it('reads the groups at userinfo with GROUPS_SOURCE=userinfo: alice gets analyst', async () => {
    const { browser } = await signIn(groups);
    expect((await call(groups, browser, 'me')).body.result.data.user).toMatchObject({
      name: 'Alice Martin',
      groups: ['analysts', 'staff'],
      roles: ['analyst'],
    });
    expect((await call(groups, browser, 'analytics')).status).toBe(200);
  });
});

describe('a userinfo answer about another user (DEV_IDP_USERINFO_SUB=other, S30)', () => {
  let stack: Stack<Api>;
  beforeAll(async () => {
    stack = await startStack(server, { devIdp: { claims: 'userinfo', userinfoSub: 'other' } });
  });
  afterAll(() => stack?.close());

  it('refuses the login with userinfo_invalid and creates no session', async () => {
    const { browser, landed } = await signIn(stack);
    expect(landed.origin).toBe(FRONT);
    expect(landed.searchParams.get('auth_error')).toBe('userinfo_invalid');
    const me = await call(stack, browser, 'me');
    expect(me.status).toBe(401);
    expect(stack.logs.some((line) => line.includes('auth.login_failed') && line.includes('userinfo_invalid'))).toBe(true);
  });
});
