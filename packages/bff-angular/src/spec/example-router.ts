import type { MeOutput } from '@oidc-bff/protocol';
import { initTRPC } from '@trpc/server';

// Types only (specs import it with `import type`): an app's router, as the specs call it.
const t = initTRPC.create();

const never = (): never => {
  throw new Error('the example router is never called');
};

export const exampleRouter = t.router({
  me: t.procedure.query((): MeOutput => never()),
  chat: t.router({
    history: t.procedure.input((raw: unknown) => raw as { limit?: number } | undefined).query((): { id: string }[] => never()),
    send: t.procedure.input((raw: unknown) => raw as { text: string }).mutation((): { id: string } => never()),
  }),
  analytics: t.procedure.query((): { calls: number } => never()),
});

export type ExampleRouter = typeof exampleRouter;
