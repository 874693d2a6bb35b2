/** How a server is signed in to before its load. */
export type AuthKind = 'none' | 'bff' | 'express-openid-connect' | 'reports-token';

/** One server the bench can measure. */
export interface ServerSpec {
  /** Stable id, used in `--only`, the JSON results and the targets. */
  readonly id: string;
  readonly label: string;
  /** Entry point under `src/`. */
  readonly entry: string;
  readonly auth: AuthKind;
  /** Path and query of the measured request. */
  readonly path: string;
  /** Experiments are measured only with `--experiments`; they are not part of the targets. */
  readonly experiment: boolean;
  /** What the probe before the load looks for in the answer (default: the user's name, `"alice"`). */
  readonly expect?: string;
  /** Options merged into the child's options (e.g. a log level). */
  readonly childOptions?: Readonly<Record<string, unknown>>;
}

/**
 * A batch of three different queries, in tRPC 11's GET batch format as httpBatchLink
 * sends it: procedures comma-separated in the path, inputs as a JSON object keyed by
 * position (positions without input are left out). The bench's chat is empty, so
 * `chat.history` answers `[]`; `analytics` is the heaviest query of the app (about 0.6 KB:
 * every procedure's figures and a series of sixty minutes of sign-ins).
 */
const BATCH_PATH = `/api/trpc/me,chat.history,analytics?batch=1&input=${encodeURIComponent(JSON.stringify({ 1: { limit: 20 } }))}`;

export const SERVERS: readonly ServerSpec[] = [
  { id: 'bare-express', label: 'bare Express 5', entry: 'servers/bare-express.ts', auth: 'none', path: '/me', experiment: false },
  { id: 'express-middleware', label: 'Express + cookie-parser + cors', entry: 'servers/express-middleware.ts', auth: 'none', path: '/me', experiment: false },
  { id: 'trpc-public', label: 'public tRPC me (Express adapter)', entry: 'servers/trpc-public.ts', auth: 'none', path: '/api/trpc/me', experiment: false },
  { id: 'guarded-me', label: 'our guarded me', entry: 'servers/bff.ts', auth: 'bff', path: '/api/trpc/me', experiment: false },
  {
    id: 'guarded-me-redis',
    label: 'our guarded me, sessions in Redis',
    entry: 'servers/bff.ts',
    auth: 'bff',
    path: '/api/trpc/me',
    experiment: false,
    childOptions: { useRedis: true },
  },
  {
    id: 'guarded-me-observed',
    label: 'our guarded me, metrics and tracing on (1 in 10 requests traced, OTLP to the test receiver)',
    entry: 'servers/bff.ts',
    auth: 'bff',
    path: '/api/trpc/me',
    experiment: false,
    childOptions: { observed: true, sampled: 0.1 },
  },
  {
    id: 'guarded-me-observed-all',
    label: 'exp: guarded me, metrics and tracing on, every request traced and exported',
    entry: 'servers/bff.ts',
    auth: 'bff',
    path: '/api/trpc/me',
    experiment: true,
    childOptions: { observed: true, sampled: 1 },
  },
  {
    id: 'public-me-same-mount',
    label: 'public me, same API mount (no auth)',
    entry: 'servers/bff.ts',
    auth: 'bff',
    path: '/api/trpc/me',
    experiment: false,
    childOptions: { publicMe: true },
  },
  {
    id: 'production-entry',
    label: 'production entry (main.js, info logs, Redis)',
    entry: 'servers/production.ts',
    auth: 'bff',
    path: '/api/trpc/me',
    experiment: false,
  },
  // Three calls of one procedure (what batching itself costs, against one call), and three different ones.
  {
    id: 'guarded-me-three',
    label: 'our batch of three me',
    entry: 'servers/bff.ts',
    auth: 'bff',
    path: '/api/trpc/me,me,me?batch=1&input=%7B%7D',
    experiment: false,
  },
  { id: 'guarded-batch', label: 'our batch me+chat.history+analytics', entry: 'servers/bff.ts', auth: 'bff', path: BATCH_PATH, experiment: false },
  {
    id: 'remote-proxy',
    label: 'our remote-API proxy → reports API',
    entry: 'servers/bff.ts',
    auth: 'bff',
    path: '/api/remote/reports/summaries',
    experiment: false,
  },
  {
    id: 'bare-proxy',
    label: 'bare reverse proxy (no auth) → reports API',
    entry: 'servers/bare-proxy.ts',
    auth: 'reports-token',
    path: '/summaries',
    experiment: false,
  },
  { id: 'reports-direct', label: 'reports API called directly', entry: 'servers/reports.ts', auth: 'reports-token', path: '/summaries', experiment: false },
  {
    id: 'express-openid-connect',
    label: 'express-openid-connect 3.4',
    entry: 'servers/eoc.ts',
    auth: 'express-openid-connect',
    path: '/me',
    experiment: false,
  },
  {
    id: 'trpc-fetch',
    label: 'exp: public me, fetch adapter + node:http',
    entry: 'servers/experiments/trpc-fetch.ts',
    auth: 'none',
    path: '/api/trpc/me',
    experiment: true,
  },
  {
    id: 'trpc-standalone',
    label: 'exp: public me, standalone adapter',
    entry: 'servers/experiments/trpc-standalone.ts',
    auth: 'none',
    path: '/api/trpc/me',
    experiment: true,
  },
  {
    id: 'guarded-me-adapter',
    label: "exp: guarded me through tRPC's fetch adapter (TRPC_LEAN_PATH=false)",
    entry: 'servers/bff.ts',
    auth: 'bff',
    path: '/api/trpc/me',
    experiment: true,
    childOptions: { adapterOnly: true },
  },
  {
    id: 'guarded-batch-adapter',
    label: "exp: batch of three through tRPC's fetch adapter",
    entry: 'servers/bff.ts',
    auth: 'bff',
    path: BATCH_PATH,
    experiment: true,
    childOptions: { adapterOnly: true },
  },
  // The batch of three different queries taken apart: two of its procedures alone.
  {
    id: 'guarded-history',
    label: 'exp: our chat.history (limit 20, empty chat) alone',
    entry: 'servers/bff.ts',
    auth: 'bff',
    path: `/api/trpc/chat.history?input=${encodeURIComponent(JSON.stringify({ limit: 20 }))}`,
    expect: '{"result":{"data":[',
    experiment: true,
  },
  {
    id: 'guarded-analytics',
    label: 'exp: our analytics alone',
    entry: 'servers/bff.ts',
    auth: 'bff',
    path: '/api/trpc/analytics',
    expect: '"loginsPerMinute"',
    experiment: true,
  },
  {
    id: 'guarded-me-info-logs',
    label: 'exp: guarded me, request logs at info (discarded)',
    entry: 'servers/bff.ts',
    auth: 'bff',
    path: '/api/trpc/me',
    experiment: true,
    childOptions: { logLevel: 'info' },
  },
  {
    id: 'cors-package',
    label: 'exp: CORS layer alone, the cors package',
    entry: 'servers/experiments/cors-layer.ts',
    auth: 'none',
    path: '/api/trpc/me',
    experiment: true,
    childOptions: { variant: 'package' },
  },
  {
    id: 'cors-hand-written',
    label: 'exp: CORS layer alone, hand-written',
    entry: 'servers/experiments/cors-layer.ts',
    auth: 'none',
    path: '/api/trpc/me',
    experiment: true,
    childOptions: { variant: 'hand-written' },
  },
  {
    id: 'guarded-me-verify-every-request',
    label: 'exp: guarded me, token verified on every request (no cache)',
    entry: 'servers/experiments/bff-verify-every-request.ts',
    auth: 'bff',
    path: '/api/trpc/me',
    experiment: true,
  },
];
