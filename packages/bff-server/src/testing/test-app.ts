/**
 * The app the machinery's own tests run: the BFF with a small router of the shape a real
 * app has (a mutation, a query, a live stream that resumes, a role-guarded query), built
 * on the public procedures only. Test code: never built into `dist/`, never packed.
 */
import { tracked } from '@trpc/server';
import { z } from 'zod';
import { createBff, type Bff, type BffParts } from '../bff.js';
import type { Bus } from '../cluster/bus.js';
import type { Config } from '../config/env.js';
import type { Logger } from '../log.js';
import { bffRouter } from '../trpc/bff-router.js';
import { mergeRouters, protectedProcedure, roleProcedure, router, stepUpProcedure, streamProcedure } from '../trpc/init.js';

export { loadConfig } from '../config/env.js';
export { idpRegistration } from '../config/registration.js';
export { createLogger } from '../log.js';
export { router, publicProcedure, protectedProcedure } from '../trpc/init.js';

export interface Note {
  readonly id: string;
  readonly text: string;
  readonly author: { readonly sub: string; readonly name: string };
}

const CHANNEL = 'test-notes';

/**
 * Notes every instance keeps as they arrive on the bus (in memory, or Redis pub/sub),
 * so that a stream resumes after the last id it saw on any instance.
 */
export class NoteBoard {
  readonly #notes: Note[] = [];
  readonly #stop: () => void;
  #seq = 0;

  constructor(
    private readonly bus: Bus,
    private readonly instance: string,
  ) {
    this.#stop = bus.subscribe(CHANNEL, (raw) => {
      const note = JSON.parse(raw) as Note;
      this.#notes.push(note);
      if (this.#notes.length > 500) this.#notes.shift();
    });
  }

  async add(text: string, author: Note['author']): Promise<Note> {
    this.#seq += 1;
    const note = { id: `${Date.now()}-${String(this.#seq).padStart(6, '0')}-${this.instance}`, text, author };
    await this.bus.publish(CHANNEL, JSON.stringify(note));
    return note;
  }

  recent(limit: number): Note[] {
    return this.#notes.slice(-limit);
  }

  after(id: string): Note[] {
    return this.#notes.filter((n) => n.id > id);
  }

  subscribe(listener: (note: Note) => void): () => void {
    return this.bus.subscribe(CHANNEL, (raw) => listener(JSON.parse(raw) as Note));
  }

  close(): void {
    this.#stop();
  }
}

declare module '../hooks.js' {
  interface AppServices {
    /** The test app's notes (`chat.*`); absent in apps that do not provide it. */
    readonly notes?: NoteBoard;
  }
}

function board(ctx: { app: { notes?: NoteBoard } }): NoteBoard {
  if (!ctx.app.notes) throw new Error('the test app was built without its notes');
  return ctx.app.notes;
}

export const testRouter = mergeRouters(
  bffRouter,
  router({
    chat: router({
      send: protectedProcedure
        .input(z.object({ text: z.string().min(1).max(2000) }))
        .mutation(({ ctx, input }) => board(ctx).add(input.text, { sub: ctx.user.sub, name: ctx.user.name })),
      history: protectedProcedure
        .input(z.object({ limit: z.number().int().min(1).max(200) }).optional())
        .query(({ ctx, input }) => board(ctx).recent(input?.limit ?? 50)),
      onMessage: streamProcedure.input(z.object({ lastEventId: z.string().max(64).nullish() }).optional()).subscription(async function* ({ ctx, input }) {
        const notes = board(ctx);
        const stop = ctx.stream.signal;
        const queue: Note[] = [];
        let wake: (() => void) | undefined;
        const unsubscribe = notes.subscribe((note) => {
          queue.push(note);
          wake?.();
        });
        const onStop = () => wake?.();
        stop.addEventListener('abort', onStop);
        try {
          const resumeAfter = input?.lastEventId ?? undefined;
          if (resumeAfter) queue.unshift(...notes.after(resumeAfter));
          const seen = new Set<string>();
          while (!stop.aborted) {
            const note = queue.shift();
            if (!note) {
              await new Promise<void>((resolve) => (wake = resolve));
              wake = undefined;
              continue;
            }
            if (seen.has(note.id) || (resumeAfter !== undefined && note.id <= resumeAfter)) continue;
            seen.add(note.id);
            yield tracked(note.id, note);
          }
        } finally {
          stop.removeEventListener('abort', onStop);
          unsubscribe();
        }
      }),
    }),
    // A procedure over a downstream API: what the reports API says of the caller, checked with zod.
    reports: protectedProcedure.query(({ ctx }) =>
      ctx.downstream('reports').get('/whoami', {
        schema: z.object({ sub: z.string(), aud: z.union([z.string(), z.array(z.string())]), scope: z.string(), traceparent: z.string().nullish() }),
      }),
    ),
    analytics: roleProcedure('analyst').query(async ({ ctx }) => ({ activeSessions: await ctx.services.sessions.count() })),
    // Output schemas: one answer that keeps only what the schema names, one that fails it (a server bug, answered 500).
    outputs: router({
      stripped: protectedProcedure.output(z.object({ sub: z.string() })).query(({ ctx }) => ({ sub: ctx.user.sub, internal: 'not in the schema' })),
      invalid: protectedProcedure.output(z.object({ count: z.number() })).query(() => ({ count: 'not a number' }) as unknown as { count: number }),
    }),
    // Step-up: a second factor, and a sign-in at most a few seconds old (with the clock tolerance).
    sensitive: router({
      mfa: stepUpProcedure({ acr: 'urn:bff:loa:mfa' }).mutation(({ ctx }) => ({ sub: ctx.user.sub })),
      fresh: stepUpProcedure({ maxAgeSeconds: 0 }).query(({ ctx }) => ({ sub: ctx.user.sub })),
      // The reports API's own step-up (RFC 9470), met through a procedure.
      exports: protectedProcedure.query(({ ctx }) => ctx.downstream('reports').get('/exports', { schema: z.object({ owner: z.string() }).loose() })),
    }),
  }),
);

/** The test app as the test kit starts it (`startStack(testApp, ...)`). */
export async function createApi(
  config: Config,
  logger: Logger,
  options: Omit<BffParts, 'router' | 'logger' | 'app'> & { readonly instance?: string; readonly router?: BffParts['router'] } = {},
): Promise<Bff> {
  const { instance = 'a', router: served = testRouter, ...rest } = options;
  let notes: NoteBoard | undefined;
  const bff = await createBff(config, {
    ...rest,
    router: served,
    logger,
    app: ({ bus }) => {
      notes = new NoteBoard(bus, instance);
      return { services: { notes } };
    },
  });
  return {
    ...bff,
    close: async () => {
      notes?.close();
      await bff.close();
    },
  };
}
