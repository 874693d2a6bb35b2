/** Structured, single-line JSON logging. Fields must never carry tokens, cookies or secrets. */
export interface Logger {
  info(event: string, fields?: Record<string, unknown>): void;
  warn(event: string, fields?: Record<string, unknown>): void;
  error(event: string, fields?: Record<string, unknown>): void;
}

type Level = 'info' | 'warn' | 'error';

/** Writes one JSON line per event to the given sink (stdout by default). */
export function createLogger(sink: (line: string) => void = (line) => process.stdout.write(`${line}\n`)): Logger {
  const write = (level: Level) => (event: string, fields: Record<string, unknown> = {}) =>
    sink(JSON.stringify({ time: new Date().toISOString(), level, event, ...fields }));
  return { info: write('info'), warn: write('warn'), error: write('error') };
}

/** A logger that keeps its lines in memory, for tests that check what is (not) logged. */
export function createMemoryLogger(): Logger & { readonly lines: string[] } {
  const lines: string[] = [];
  return { ...createLogger((line) => lines.push(line)), lines };
}
