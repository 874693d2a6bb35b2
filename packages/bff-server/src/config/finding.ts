export type Severity = 'ok' | 'info' | 'warn' | 'error';

/** One thing the doctor checked, and what to do about it. */
export interface Finding {
  readonly severity: Severity;
  /** Stable identifier, e.g. `topology`, `discovery`, `clock`. */
  readonly check: string;
  readonly message: string;
  readonly fix?: string;
}
