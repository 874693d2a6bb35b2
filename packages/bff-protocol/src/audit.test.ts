import { describe, expect, it } from 'vitest';
import { AUDIT_EVENT_TYPES } from './index.js';
import { auditEventSchema } from './schemas/index.js';

const base = {
  audit: true,
  version: 1,
  time: '2026-01-01T00:00:00.000Z',
  client: { ip: '203.0.113.7', browser: 'Firefox', os: 'Windows' },
  requestId: 'b1f4c1de-0000-4000-8000-000000000000',
} as const;
const sessionId = 'AbCdEfGhIjKlMnOpQrStUv';

describe('the audit event schema', () => {
  it('has one variant per published event type', () => {
    expect(auditEventSchema.options.map((option) => option.shape.type.value).sort()).toEqual([...AUDIT_EVENT_TYPES].sort());
  });

  it('reads each event of the session lifecycle', () => {
    const events = [
      { ...base, type: 'sign_in.succeeded', sub: 'alice', sessionId },
      { ...base, type: 'sign_in.failed', sub: null, sessionId: null, code: 'state_mismatch' },
      { ...base, type: 'sign_out', kind: 'user', sub: 'alice', sessionId, sessions: 1 },
      { ...base, type: 'sign_out', kind: 'back_channel', sub: null, sessionId: null, sessions: 2 },
      { ...base, type: 'sign_out', kind: 'front_channel', sub: null, sessionId: null, sessions: 1 },
      { ...base, type: 'sign_out', kind: 'revoked', sub: 'alice', sessionId, sessions: 1, revokedBy: { sessionId, self: true } },
      { ...base, client: null, requestId: null, type: 'sign_out', kind: 'expired', sub: 'alice', sessionId, sessions: 1 },
      { ...base, client: null, requestId: null, type: 'refresh.failed', sub: 'alice', sessionId, reason: 'invalid_grant' },
      { ...base, type: 'step_up', outcome: 'succeeded', sub: 'alice', sessionId, acrRequested: ['urn:dev:mfa'], acrObtained: 'urn:dev:mfa' },
      { ...base, type: 'step_up', outcome: 'refused', sub: 'alice', sessionId, acrRequested: ['urn:dev:mfa', 'urn:dev:hwk'], acrObtained: null },
      { ...base, type: 'step_up', outcome: 'refused', sub: null, sessionId: null, acrRequested: ['urn:dev:mfa'], acrObtained: null },
      {
        ...base,
        client: null,
        type: 'roles.changed',
        sub: 'alice',
        sessionId,
        previousSessionId: 'ZyXwVuTsRqPoNmLkJiHgFe',
        rolesAdded: ['analyst'],
        rolesRemoved: [],
      },
    ];
    for (const event of events) expect(auditEventSchema.parse(event)).toEqual(event);
  });

  it('refuses any field it does not name (a token cannot ride along), unknown codes and handles as session ids', () => {
    const ok = { ...base, type: 'sign_in.succeeded', sub: 'alice', sessionId };
    expect(auditEventSchema.safeParse({ ...ok, accessToken: 'eyJ...' }).success).toBe(false);
    expect(auditEventSchema.safeParse({ ...ok, client: { ...base.client, userAgent: 'Mozilla/5.0' } }).success).toBe(false);
    expect(auditEventSchema.safeParse({ ...ok, sessionId: 'a'.repeat(43) }).success).toBe(false);
    expect(auditEventSchema.safeParse({ ...ok, audit: undefined }).success).toBe(false);
    expect(auditEventSchema.safeParse({ ...base, type: 'sign_in.failed', sub: null, sessionId: null, code: 'free text' }).success).toBe(false);
    expect(auditEventSchema.safeParse({ ...base, type: 'refresh.failed', sub: 'alice', sessionId, reason: 'the IdP said: no' }).success).toBe(false);
  });

  it('takes a step-up only with what was asked, a known outcome and acr values that cannot carry text', () => {
    const ok = { ...base, type: 'step_up', outcome: 'succeeded', sub: 'alice', sessionId, acrRequested: ['urn:dev:mfa'], acrObtained: 'urn:dev:mfa' };
    expect(auditEventSchema.safeParse(ok).success).toBe(true);
    expect(auditEventSchema.safeParse({ ...ok, outcome: 'maybe' }).success).toBe(false);
    expect(auditEventSchema.safeParse({ ...ok, acrRequested: [] }).success).toBe(false);
    expect(auditEventSchema.safeParse({ ...ok, acrObtained: 'two words' }).success).toBe(false);
    expect(auditEventSchema.safeParse({ ...ok, acrObtained: 'x'.repeat(256) }).success).toBe(false);
    expect(auditEventSchema.safeParse({ ...ok, idToken: 'eyJ...' }).success).toBe(false);
    expect(auditEventSchema.safeParse({ ...base, type: 'sign_out', kind: 'front-channel', sub: null, sessionId: null, sessions: 1 }).success).toBe(false);
    const changed = { ...base, type: 'roles.changed', sub: 'alice', sessionId, previousSessionId: sessionId, rolesAdded: ['analyst'], rolesRemoved: [] };
    expect(auditEventSchema.safeParse(changed).success).toBe(true);
    expect(auditEventSchema.safeParse({ ...changed, rolesAdded: ['cn=analysts,ou=groups,dc=corp'] }).success).toBe(false);
  });
});
