import { isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { int } from './fields.js';

/** Where audit lines go: the process's stdout (each line carries `"audit": true`), or a file of their own. */
export type AuditDestination = { readonly kind: 'stdout' } | { readonly kind: 'file'; readonly path: string };

/**
 * What the BFF shows of itself (S31): Prometheus metrics on a port of their own
 * (`metricsPort`, METRICS_PORT) and the audit trail of the session lifecycle (`auditLog`,
 * AUDIT_LOG: `stdout` or a file path, relative to the working directory). Each is off when unset.
 */
export const observabilityOptions = z.strictObject({
  /** `GET /metrics` in Prometheus's format listens here; never the public port. */
  metricsPort: int(1, 65535).optional(),
  auditLog: z
    .string({ error: 'must be stdout or a file path' })
    .trim()
    .min(1, { error: 'must be stdout or a file path' })
    .optional()
    .transform((value): AuditDestination | undefined =>
      value === undefined ? undefined : value === 'stdout' ? { kind: 'stdout' } : { kind: 'file', path: isAbsolute(value) ? value : resolve(value) },
    ),
});

export type ObservabilityOptions = z.input<typeof observabilityOptions>;
