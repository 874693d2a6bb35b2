// What the compiler must refuse. Were provideBff or the client typed loosely (any), these
// directives would be unused and tsc would fail.
import { injectTrpc, provideBff } from '@oidc-bff/angular';
import type { HelloRouter, ScratchRouter } from '../../server/router';

const routes = { home: '/', forbidden: '/forbidden', sessionProblem: '/session-problem' };

// @ts-expect-error a router without the BFF's me is not one provideBff can serve
provideBff<HelloRouter>({ apiUrl: 'http://localhost:3000' }, { routes });

export async function callsOnlyWhatTheRouterHas(): Promise<void> {
  const trpc = injectTrpc<ScratchRouter>();
  // @ts-expect-error the scratch router has no goodbye
  await trpc.goodbye.query();
  // @ts-expect-error hello answers { hello: string }
  const wrong: { hello: number } = await trpc.hello.query();
  void wrong;
}
