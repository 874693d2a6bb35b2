import { appendFileSync } from 'node:fs';
import { LRUCache } from 'lru-cache';
import { AUDIT_SCHEMA_VERSION, type AuditEvent } from '@oidc-bff/protocol';
import type { BffHooks, RequestOrigin, StepUpEvent } from '../hooks.js';
import type { Logger } from '../log.js';
import type { AuditDestination } from '../options/observability.js';
import { activeTraceIds } from './tracing.js';

/** An audit event as the trail is given it: everything but the fields every line carries. */
type AuditRecord = AuditEvent extends infer E ? (E extends AuditEvent ? Omit<E, 'audit' | 'version' | 'time'> : never) : never;

/** Users (and sessions) whose roles the trail remembers for `roles.changed`. */
const ROLES_REMEMBERED = 10_000;

/** Writes one whole line; throws when it cannot. */
type LineWriter = (line: string) => void;

export interface AuditTrailOptions {
  readonly destination: AuditDestination;
  readonly logger: Logger;
  /** Told of every line that could not be written (the metrics count them). */
  readonly onWriteFailed?: () => void;
  readonly now?: () => number;
}

/**
 * The audit trail (S31): one JSON line per session-lifecycle event, in the shape of
 * `auditEventSchema` (`@oidc-bff/protocol/schemas`), to its own destination so that a SIEM
 * takes it without the request log. It is fed by the BFF's hooks, whose events carry only
 * what the BFF derived (the user's `sub`, public session ids, the client's address, browser
 * and OS families, the request id): never a token, a cookie or a header value.
 *
 * Lines are written synchronously, one `write` each, so that a line is whole and written
 * before the response that follows the event; a file is appended to and reopened for every
 * line, so that it can be rotated by renaming it.
 */
export class AuditTrail {
  readonly #write: LineWriter;
  readonly #logger: Logger;
  readonly #onWriteFailed: (() => void) | undefined;
  readonly #now: () => number;
  /** Each user's latest session seen here and its roles, for `roles.changed`: bounded, in this process. */
  readonly #roles = new LRUCache<string, { readonly sessionId: string; readonly roles: readonly string[] }>({ max: ROLES_REMEMBERED });
  /** Sessions whose roles were already compared: one comparison per session. */
  readonly #compared = new LRUCache<string, true>({ max: ROLES_REMEMBERED });

  /** @throws {Error} when the file cannot be appended to (checked once, at start-up). */
  constructor(options: AuditTrailOptions) {
    const { destination } = options;
    if (destination.kind === 'file') {
      try {
        appendFileSync(destination.path, '');
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        throw new Error(`The audit log ${destination.path} cannot be appended to (${String(code)}): set AUDIT_LOG to a writable file, or to stdout.`, {
          cause: error,
        });
      }
      this.#write = (line) => appendFileSync(destination.path, line);
    } else {
      this.#write = (line) => process.stdout.write(line);
    }
    this.#logger = options.logger;
    this.#onWriteFailed = options.onWriteFailed;
    this.#now = options.now ?? Date.now;
  }

  /** Writes one event; a failure is logged and counted, never thrown into the request. */
  record(event: AuditRecord): void {
    const trace = activeTraceIds();
    const line = {
      audit: true,
      version: AUDIT_SCHEMA_VERSION,
      time: new Date(this.#now()).toISOString(),
      ...event,
      ...(trace ? { traceId: trace.traceId } : {}),
    };
    try {
      this.#write(`${JSON.stringify(line)}\n`);
    } catch (error) {
      this.#onWriteFailed?.();
      this.#logger.error('audit.write_failed', { type: event.type, error: (error as { code?: unknown }).code ?? 'unknown' });
    }
  }

  /** The hooks that feed the trail. */
  readonly hooks: BffHooks = {
    onLogin: ({ outcome, sub, sessionId, request }) => {
      if (outcome === 'success') {
        if (sub === undefined || sessionId === undefined) return;
        this.record({ type: 'sign_in.succeeded', sub, sessionId, ...origin(request) });
      } else {
        this.record({ type: 'sign_in.failed', sub: null, sessionId: null, code: outcome, ...origin(request) });
      }
    },
    onLogout: ({ kind, sub, sessionId, sessions, revokedBy, request }) => {
      this.record({
        type: 'sign_out',
        kind,
        sub: sub ?? null,
        sessionId: sessionId ?? null,
        sessions,
        ...(revokedBy === undefined ? {} : { revokedBy: { sessionId: revokedBy, self: revokedBy === sessionId } }),
        ...origin(request),
      });
    },
    onRefresh: ({ outcome, sub, sessionId, reason }) => {
      if (outcome !== 'failed') return;
      this.record({ type: 'refresh.failed', sub, sessionId, reason: reason ?? 'unknown', ...origin(undefined) });
    },
    onRoles: ({ sub, sessionId, roles }) => this.#compareRoles(sub, sessionId, roles),
    onStepUp: ({ outcome, acrRequested, acrObtained, sub, sessionId, request }) => {
      this.stepUp({ outcome, acrRequested, acrObtained, sub, sessionId, ...(request ? { request } : {}) });
    },
  };

  /**
   * The first time a session's roles are known here, compares them with the roles of the same
   * user's previous session seen by this instance, and records `roles.changed` when they differ.
   * Remembered in this process for the last {@link ROLES_REMEMBERED} users (cheap and bounded;
   * a user whose sessions are served by different instances is compared on each instance).
   */
  #compareRoles(sub: string, sessionId: string, roles: readonly string[]): void {
    if (this.#compared.has(sessionId)) return;
    this.#compared.set(sessionId, true);
    const now = [...new Set(roles)].sort();
    const previous = this.#roles.get(sub);
    this.#roles.set(sub, { sessionId, roles: now });
    if (!previous || previous.sessionId === sessionId) return;
    const rolesAdded = now.filter((role) => !previous.roles.includes(role));
    const rolesRemoved = previous.roles.filter((role) => !now.includes(role));
    if (rolesAdded.length === 0 && rolesRemoved.length === 0) return;
    this.record({ type: 'roles.changed', sub, sessionId, previousSessionId: previous.sessionId, rolesAdded, rolesRemoved, ...origin(undefined) });
  }

  /**
   * Records one step-up: what was asked and what the IdP's ID token gave (acr values name a
   * class of authentication, not a person). The same line whether called directly or by the hook.
   *
   * @example
   * audit.stepUp({ outcome: 'refused', acrRequested: ['urn:bank:mfa'], acrObtained: 'urn:bank:pwd', sub, sessionId, request });
   */
  stepUp(event: StepUpEvent): void {
    this.record({
      type: 'step_up',
      outcome: event.outcome,
      sub: event.sub ?? null,
      sessionId: event.sessionId ?? null,
      acrRequested: [...event.acrRequested],
      acrObtained: event.acrObtained ?? null,
      ...origin(event.request),
    });
  }
}

function origin(request: RequestOrigin | undefined): Pick<AuditEvent, 'client' | 'requestId'> {
  if (!request) return { client: null, requestId: null };
  return { client: { ip: request.ip ?? null, browser: request.browser, os: request.os }, requestId: request.requestId ?? null };
}
