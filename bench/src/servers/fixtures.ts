/**
 * What every comparison server answers, shaped like the real `me` output so that
 * serialisation costs the same everywhere.
 */
export const ME_RESPONSE = {
  user: { sub: 'alice', name: 'Alice Martin', email: 'alice@example.test', groups: ['analysts'] },
  session: { expiresAt: '2030-01-01T08:00:00.000Z', accessTokenExpiresAt: '2030-01-01T01:00:00.000Z' },
  logoutUrl: 'http://localhost:3000/api/logout?sid=0123456789abcdefghijkl',
} as const;
