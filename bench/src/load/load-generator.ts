import { ChildServer } from '../child-server.js';
import type { LoadRequest, LoadResult } from './load-result.js';

/** autocannon in a child process of its own, so that it never shares an event loop with a server. */
export class LoadGenerator {
  private constructor(private readonly child: ChildServer) {}

  static async start(): Promise<LoadGenerator> {
    return new LoadGenerator(await ChildServer.start('load generator', 'load/worker.ts', {}));
  }

  async run(load: LoadRequest): Promise<LoadResult> {
    return this.child.request<LoadResult>('run', { load });
  }

  stop(): Promise<void> {
    return this.child.stop();
  }
}
