import { describe, expect, it } from 'vitest';
import { TRPCError } from '@trpc/server';
import { InvalidCredentialsError } from 'ldapts';
import { ErrorReply } from 'redis';
import { ResponseBodyError } from 'openid-client';
import {
  BffError,
  DependencyUnavailableError,
  describeError,
  DirectoryUnavailableError,
  DownstreamUnavailableError,
  DownstreamUnauthorizedError,
  DownstreamFailedError,
  ERROR_OUTCOMES,
  errorCode,
  IdpProfileError,
  IdpUnavailableError,
  outcomeOf,
  SessionStoreUnavailableError,
  StepUpRequiredError,
} from './errors.js';
import { toTrpcError } from './trpc/errors.js';
import * as discovery from './oidc/discovery.js';
import * as store from './session/store.js';
import * as directory from './directory/ldap-directory.js';
import { RedisError } from './cluster/redis-connection.js';

const TOKEN = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlLXNlY3JldA';

/** Every error of the machinery, with what a client sees of it: the table under test. */
const TABLE = [
  { error: new IdpUnavailableError(), trpc: 'SERVICE_UNAVAILABLE', status: 503, reason: 'idp_unavailable', login: 'idp_unavailable' },
  {
    error: new IdpProfileError(['pushed_authorization_request_endpoint']),
    trpc: 'SERVICE_UNAVAILABLE',
    status: 503,
    reason: 'idp_unavailable',
    login: 'idp_unavailable',
  },
  { error: new SessionStoreUnavailableError(), trpc: 'SERVICE_UNAVAILABLE', status: 503, reason: 'session_store_unavailable', login: 'service_unavailable' },
  { error: new DirectoryUnavailableError(), trpc: 'SERVICE_UNAVAILABLE', status: 503, reason: 'directory_unavailable', login: 'service_unavailable' },
  {
    error: new DownstreamUnavailableError('reports'),
    trpc: 'SERVICE_UNAVAILABLE',
    status: 503,
    reason: 'downstream_unavailable',
    login: 'service_unavailable',
  },
  {
    error: new DownstreamUnauthorizedError('reports', 'api_refused'),
    trpc: 'FORBIDDEN',
    status: 401,
    reason: 'downstream_unauthorized',
    login: 'service_unavailable',
  },
  { error: new DownstreamFailedError('reports', 500), trpc: 'BAD_GATEWAY', status: 502, reason: undefined, login: 'service_unavailable' },
  {
    error: new StepUpRequiredError({ acr_values: 'urn:bff:loa:mfa', max_age: 300 }),
    trpc: 'UNAUTHORIZED',
    status: 401,
    reason: 'insufficient_user_authentication',
    login: 'step_up_failed',
  },
] as const;

describe('the error module', () => {
  it('has one row per code, and every error of the machinery answers its row', () => {
    expect(TABLE.map(({ error }) => error.code).sort()).toEqual(Object.keys(ERROR_OUTCOMES).sort());
    for (const { error, ...outcome } of TABLE) expect({ code: error.code, ...outcomeOf(error) }).toEqual({ code: error.code, ...outcome });
  });

  it('toTrpcError gives each its tRPC code and reason, keeping the original error as the cause', () => {
    for (const { error, trpc, reason } of TABLE) {
      const mapped = toTrpcError(error);
      expect(mapped).toBeInstanceOf(TRPCError);
      expect(mapped.code).toBe(trpc);
      const cause = mapped.cause as { reason?: unknown; cause?: unknown };
      expect(cause.reason).toBe(reason);
      expect(reason === undefined ? cause : cause.cause).toBe(error);
    }
  });

  it('toTrpcError carries a step-up challenge to the error data', () => {
    const mapped = toTrpcError(new StepUpRequiredError({ acr_values: 'urn:bff:loa:mfa', max_age: 60 }, 'reports'));
    expect(mapped.cause).toMatchObject({ reason: 'insufficient_user_authentication', challenge: { acr_values: 'urn:bff:loa:mfa', max_age: 60 } });
  });

  it('toTrpcError leaves a TRPCError as it is and makes anything else an internal error', () => {
    const refused = new TRPCError({ code: 'FORBIDDEN' });
    expect(toTrpcError(refused)).toBe(refused);
    const bug = new TypeError('x is undefined');
    expect(toTrpcError(bug)).toMatchObject({ code: 'INTERNAL_SERVER_ERROR', cause: bug });
    expect(outcomeOf(bug)).toBeUndefined();
  });

  it('has one parent for a dependency that is down, under one base with a stable code and the original cause', () => {
    const cause = new Error('connect ECONNREFUSED');
    for (const error of [
      new IdpUnavailableError({ cause }),
      new SessionStoreUnavailableError({ cause }),
      new DirectoryUnavailableError({ cause }),
      new DownstreamUnavailableError('reports', { cause }),
    ]) {
      expect(error).toBeInstanceOf(DependencyUnavailableError);
      expect(error).toBeInstanceOf(BffError);
      expect(error.cause).toBe(cause);
      expect(String(error)).toMatch(new RegExp(`^${error.name}: `));
    }
    expect(new DownstreamUnavailableError('reports')).toMatchObject({ api: 'reports', dependency: 'downstream', code: 'DOWNSTREAM_UNAVAILABLE' });
    expect(new IdpProfileError([])).not.toBeInstanceOf(DependencyUnavailableError);
  });

  it('is what the old import paths export, so instanceof holds whichever path code imports', () => {
    expect(discovery.IdpUnavailableError).toBe(IdpUnavailableError);
    expect(discovery.IdpProfileError).toBe(IdpProfileError);
    expect(discovery.describeError).toBe(describeError);
    expect(store.SessionStoreUnavailableError).toBe(SessionStoreUnavailableError);
    expect(directory.DirectoryUnavailableError).toBe(DirectoryUnavailableError);
  });
});

describe('describeError, the one log-safe describer (S15)', () => {
  it('says class names and codes, for an error and its causes', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 10.0.0.7:636'), { code: 'ECONNREFUSED' });
    expect(describeError(new IdpUnavailableError({ cause: new TypeError('fetch failed', { cause: refused }) }))).toBe(
      'IDP_UNAVAILABLE: TypeError: Error (ECONNREFUSED)',
    );
    expect(describeError(new IdpProfileError(['dpop_signing_alg_values_supported']))).toBe('IDP_PROFILE_UNSUPPORTED');
    expect(describeError(new InvalidCredentialsError('80090308: LdapErr: DSID-0C09044E, comment: AcceptSecurityContext error'))).toBe(
      'InvalidCredentialsError (LDAP result 49)',
    );
    expect(describeError(new SessionStoreUnavailableError({ cause: new RedisError('REDIS_TIMEOUT') }))).toBe(
      'SESSION_STORE_UNAVAILABLE: RedisError (REDIS_TIMEOUT)',
    );
    expect(describeError(new ErrorReply('WRONGPASS invalid username-password pair or user is disabled.'))).toBe('ErrorReply (WRONGPASS)');
    expect(describeError(new Error('Connection timed out'))).toBe('Error (TIMEOUT)');
  });

  it('never echoes a token, a secret or a response body, whatever the error carries', () => {
    const said = [
      describeError(new Error(`invalid_token: ${TOKEN}`)),
      describeError(new IdpUnavailableError({ cause: new Error(`Bearer ${TOKEN}`) })),
      describeError(Object.assign(new Error('no'), { code: TOKEN.slice(0, 40) })),
      describeError(Object.assign(new Error('no'), { code: `ERR ${TOKEN}` })),
      describeError(
        new ResponseBodyError('server responded with an error in the response body', {
          cause: { error: 'invalid_grant', refresh_token: TOKEN, code: 'ABCDEF' },
          response: new Response(),
        } as never),
      ),
      describeError(new ErrorReply(`ERR wrong password ${TOKEN}`)),
      describeError(TOKEN),
      describeError({ message: TOKEN }),
      errorCode(new Error(TOKEN)),
      errorCode(TOKEN),
    ];
    for (const line of said) {
      expect(line).not.toContain(TOKEN.slice(0, 12));
      expect(line).not.toMatch(/signature|secret|Bearer|refresh_token|invalid_grant|ABCDEF|wrong password/);
    }
  });

  it('stays bounded however deep the causes go', () => {
    let error: Error = new Error('root');
    for (let i = 0; i < 50; i++) error = new Error(`level ${i}`, { cause: Object.assign(error, { code: 'E'.repeat(60) }) });
    expect(describeError(error).length).toBeLessThanOrEqual(200);
    expect(describeError(error).split(': ')).toHaveLength(3);
  });

  it('errorCode is the one token a log line or a retry decision compares', () => {
    expect(errorCode(new RedisError('REDIS_UNAVAILABLE'))).toBe('REDIS_UNAVAILABLE');
    expect(errorCode(new ErrorReply('NOAUTH Authentication required.'))).toBe('NOAUTH');
    expect(errorCode(Object.assign(new Error('x'), { code: 'ERR_TLS_CERT_ALTNAME_INVALID' }))).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
    expect(errorCode(new DirectoryUnavailableError())).toBe('DIRECTORY_UNAVAILABLE');
    expect(errorCode(new RangeError('x'))).toBe('RangeError');
    expect(errorCode(undefined)).toBe('unknown');
  });
});
