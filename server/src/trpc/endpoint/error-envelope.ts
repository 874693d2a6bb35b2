import type { IncomingMessage, ServerResponse } from 'node:http';
import { API_PATHS, type AuthFailureReason } from '@bff/shared';

/**
 * Errors the tRPC endpoint answers before tRPC runs, in tRPC's own error shape (one
 * entry per procedure for a batch), so that the typed client reads code and reason.
 */
export function refusal(req: IncomingMessage, status: number, code: string, message: string, reason?: AuthFailureReason): unknown {
  const url = req.url ?? '';
  const query = url.indexOf('?');
  const paths = pathOf(req)
    .slice(API_PATHS.trpc.length + 1)
    .split(',');
  const errorFor = (path: string | undefined) => ({
    error: { code: JSON_RPC_CODES[code] ?? -32603, message, data: { code, httpStatus: status, path, ...(reason ? { reason } : {}) } },
  });
  const batch = query >= 0 && new URLSearchParams(url.slice(query + 1)).has('batch');
  return batch ? paths.map(errorFor) : errorFor(paths[0]);
}

/** tRPC's JSON-RPC codes for the errors answered here. */
const JSON_RPC_CODES: Record<string, number> = {
  FORBIDDEN: -32003,
  PAYLOAD_TOO_LARGE: -32600,
  INTERNAL_SERVER_ERROR: -32603,
  TOO_MANY_REQUESTS: -32029,
  SERVICE_UNAVAILABLE: -32603,
};

export function writeJson(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  const payload = JSON.stringify(value);
  res
    .writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload)), 'cache-control': 'no-store', ...headers })
    .end(payload);
}

export function pathOf(req: IncomingMessage): string {
  const url = req.url ?? '/';
  const query = url.indexOf('?');
  return query >= 0 ? url.slice(0, query) : url;
}
