import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { IpcChannel, type IpcMessage } from './ipc.js';
import { OPTIONS_VARIABLE, type ProcessStats } from './servers/serve.js';

const BENCH_DIR = fileURLToPath(new URL('..', import.meta.url));
const OUTPUT_TAIL_CHARS = 4000;

interface OutputTail {
  text: string;
}

/** Raised when a child does not come up; carries the end of its output. */
export class ChildStartError extends Error {
  readonly code = 'CHILD_START_FAILED';
}

/**
 * A bench child: a TypeScript entry point run by `node --import tsx` in its own
 * process (own event loop, own heap), reached over IPC.
 */
export class ChildServer {
  readonly #child: ChildProcess;
  readonly #channel: IpcChannel;
  readonly #output: OutputTail;

  private constructor(
    readonly name: string,
    child: ChildProcess,
    readonly port: number,
    output: OutputTail,
  ) {
    this.#child = child;
    this.#channel = new IpcChannel(child, name);
    this.#output = output;
  }

  /**
   * Starts `src/<entry>` and waits until it reports `{ type: 'ready', port }`.
   *
   * @throws {ChildStartError} when it exits or stays silent for `timeoutMs`.
   */
  static async start(
    name: string,
    entry: string,
    options: object,
    settings: { execArgv?: readonly string[]; env?: Readonly<Record<string, string>>; timeoutMs?: number } = {},
  ): Promise<ChildServer> {
    const child = spawn(process.execPath, [...(settings.execArgv ?? []), '--import', 'tsx', `src/${entry}`], {
      cwd: BENCH_DIR,
      env: { ...process.env, ...settings.env, [OPTIONS_VARIABLE]: JSON.stringify(options) },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    const output: OutputTail = { text: '' };
    const keep = (chunk: Buffer) => {
      output.text = (output.text + chunk.toString('utf8')).slice(-OUTPUT_TAIL_CHARS);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new ChildStartError(`${name} did not start within ${settings.timeoutMs ?? 30_000} ms\n${output.text}`));
      }, settings.timeoutMs ?? 30_000);
      child.on('message', (raw) => {
        const message = raw as IpcMessage;
        if (message.type !== 'ready') return;
        clearTimeout(timer);
        resolve(Number(message['port']));
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new ChildStartError(`${name} exited (${signal ?? code}) while starting\n${output.text}`));
      });
    });
    return new ChildServer(name, child, port, output);
  }

  /** The child's process id, to look at it from outside (`ps`, `/proc/<pid>`). */
  get pid(): number | undefined {
    return this.#child.pid;
  }

  /** The last few thousand characters the child printed, for error reports. */
  get output(): string {
    return this.#output.text;
  }

  request<T>(type: string, payload: Record<string, unknown> = {}): Promise<T> {
    return this.#channel.request<T>(type, payload);
  }

  stats(): Promise<ProcessStats> {
    return this.request<ProcessStats>('stats');
  }

  /** Asks the child to exit cleanly, then kills it if it has not within `graceMs`. */
  async stop(graceMs = 5000): Promise<void> {
    const child = this.#child;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.send({ type: 'stop' }, () => undefined);
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  }
}
