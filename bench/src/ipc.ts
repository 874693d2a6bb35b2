import type { ChildProcess } from 'node:child_process';

/** A message between the bench and one of its children. `id` pairs a reply with its request. */
export interface IpcMessage {
  readonly type: string;
  readonly id?: number;
  readonly [field: string]: unknown;
}

/** Answers one request; its (awaited) result is the reply's `value`. */
export type RequestHandler = (message: IpcMessage) => unknown;

/**
 * Child side: answers each request `{ id, type }` with `{ id, type: 'reply', value }`
 * (or `{ id, type: 'reply', error }` when the handler throws).
 */
export function answerRequests(handlers: Readonly<Record<string, RequestHandler>>): void {
  process.on('message', (raw) => {
    const message = raw as IpcMessage;
    const handler = handlers[message.type];
    if (!handler) return;
    Promise.resolve()
      .then(() => handler(message))
      .then(
        (value) => process.send?.({ id: message.id, type: 'reply', value }),
        (error: unknown) => process.send?.({ id: message.id, type: 'reply', error: error instanceof Error ? error.message : String(error) }),
      );
  });
}

/** Parent side: request/response over a child's IPC channel. */
export class IpcChannel {
  #nextId = 1;
  readonly #pending = new Map<number, { resolve: (m: IpcMessage) => void; reject: (e: Error) => void }>();

  constructor(
    private readonly child: ChildProcess,
    private readonly label: string,
  ) {
    child.on('message', (raw) => {
      const message = raw as IpcMessage;
      if (message.type !== 'reply' || message.id === undefined) return;
      const waiter = this.#pending.get(message.id);
      if (!waiter) return;
      this.#pending.delete(message.id);
      if (typeof message['error'] === 'string') waiter.reject(new Error(`${label}: ${message['error']}`));
      else waiter.resolve(message);
    });
    child.on('exit', (code, signal) => {
      for (const waiter of this.#pending.values()) waiter.reject(new Error(`${label} exited (${signal ?? code}) before answering`));
      this.#pending.clear();
    });
  }

  request<T>(type: string, payload: Record<string, unknown> = {}): Promise<T> {
    const id = this.#nextId++;
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(id, { resolve: (m) => resolve(m['value'] as T), reject });
      this.child.send({ ...payload, type, id }, (error) => {
        if (!error) return;
        this.#pending.delete(id);
        reject(new Error(`${this.label}: ${error.message}`));
      });
    });
  }
}
