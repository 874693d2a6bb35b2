/** Lines written by a logger, kept in memory so that a test can check what is (not) logged. */
export interface CapturedLogs {
  /** A pino destination. */
  readonly destination: { write(line: string): void };
  readonly lines: string[];
}

export function captureLogs(): CapturedLogs {
  const lines: string[] = [];
  return { destination: { write: (line: string) => void lines.push(line.trimEnd()) }, lines };
}
