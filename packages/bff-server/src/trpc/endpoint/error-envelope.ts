import type { IncomingMessage, ServerResponse } from 'node:http';
import { API_PATHS, type AuthFailureReason } from '@oidc-bff/protocol';
import { boundedPath, MAX_LOGGED_PATH, pathOf } from '../../http/request-log.js';

/** tRPC's JSON-RPC codes for the errors answered here. */
const JSON_RPC_CODES = {
  FORBIDDEN: -32003,
  PAYLOAD_TOO_LARGE: -32600,
  INTERNAL_SERVER_ERROR: -32603,
} as const;

/** An error the endpoint answers before tRPC runs. */
export interface Refusal {
  readonly status: number;
  readonly code: keyof typeof JSON_RPC_CODES;
  readonly message: string;
  readonly reason?: AuthFailureReason;
}

/**
 * Whatever the request, a refusal stays under this size: nobody gets an answer much
 * larger than what they sent, before any check of who they are (S25).
 */
const MAX_REFUSAL_BYTES = 4096;

/**
 * Answers a refusal in tRPC's own error shape, so that the typed client reads code and
 * reason. A batch gets one entry per call, as tRPC would answer it, while that stays
 * within the batch limit and {@link MAX_REFUSAL_BYTES}; beyond, one error for the whole
 * request, the way tRPC itself refuses an oversized batch (its client applies that one
 * error to every call). Paths are echoed cut to {@link MAX_LOGGED_PATH}.
 */
export function writeRefusal(req: IncomingMessage, res: ServerResponse, refusal: Refusal, maxBatchSize: number): void {
  const url = req.url ?? '';
  const procedures = pathOf(url).slice(API_PATHS.trpc.length + 1);
  const errorFor = (path: string | undefined) => ({
    error: {
      code: JSON_RPC_CODES[refusal.code],
      message: refusal.message,
      data: { code: refusal.code, httpStatus: refusal.status, path, ...(refusal.reason ? { reason: refusal.reason } : {}) },
    },
  });
  const query = url.indexOf('?');
  const batch = query >= 0 && new URLSearchParams(url.slice(query + 1)).has('batch');
  if (!batch) {
    writePayload(res, refusal.status, JSON.stringify(errorFor(boundedPath(procedures))));
    return;
  }
  // Entries are built only from a path that is short already: bounded work whatever was sent.
  const paths = procedures.length <= MAX_LOGGED_PATH ? procedures.split(',') : undefined;
  const perCall = paths && paths.length <= maxBatchSize ? JSON.stringify(paths.map(errorFor)) : undefined;
  writePayload(res, refusal.status, perCall !== undefined && perCall.length <= MAX_REFUSAL_BYTES ? perCall : JSON.stringify(errorFor(undefined)));
}

function writePayload(res: ServerResponse, status: number, payload: string): void {
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload)), 'cache-control': 'no-store' }).end(payload);
}
