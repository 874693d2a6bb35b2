/**
 * Compile-time checks of provideBff's router constraint and injectTrpc, run by the
 * package's typecheck: each `@ts-expect-error` fails the check if the line below it compiles.
 */
import type { MeOutput } from '@oidc-bff/protocol';
import { initTRPC } from '@trpc/server';
import { provideBff } from '../provide-bff.js';
import type { ExampleRouter } from '../spec/example-router.js';
import { injectTrpc, type BffClient } from './trpc-client.js';

const t = initTRPC.create();
const withTransformer = initTRPC.create({ transformer: { serialize: (v: unknown) => v, deserialize: (v: unknown) => v } });
const me = (): MeOutput => {
  throw new Error('types only');
};
/** Routers that are not BFF-compatible, one way each. */
export function incompatibleRouters() {
  return {
    withoutMe: t.router({ chat: t.procedure.query(() => 'hi') }),
    meAsMutation: t.router({ me: t.procedure.mutation(me) }),
    otherMe: t.router({ me: t.procedure.query(() => ({ user: { sub: 'x' } })) }),
    transformed: withTransformer.router({ me: withTransformer.procedure.query(me) }),
  };
}
type Incompatible = ReturnType<typeof incompatibleRouters>;
const routes = { home: '/', forbidden: '/forbidden', sessionProblem: '/session-problem' };

export function typeTests(): void {
  provideBff<ExampleRouter>({ apiUrl: 'https://api.example.com' }, { routes });
  provideBff({ configUrl: 'config.json' }, { routes });
  // @ts-expect-error: the app's router must merge the BFF's own (me).
  provideBff<Incompatible['withoutMe']>({ apiUrl: 'https://api.example.com' }, { routes });
  // @ts-expect-error: me is a query.
  provideBff<Incompatible['meAsMutation']>({ apiUrl: 'https://api.example.com' }, { routes });
  // @ts-expect-error: me answers a MeOutput.
  provideBff<Incompatible['otherMe']>({ apiUrl: 'https://api.example.com' }, { routes });
  // @ts-expect-error: the client sends and reads plain JSON.
  provideBff<Incompatible['transformed']>({ apiUrl: 'https://api.example.com' }, { routes });
  // @ts-expect-error: routes are required.
  provideBff<ExampleRouter>({ apiUrl: 'https://api.example.com' }, {});
  // @ts-expect-error: one of apiUrl or configUrl.
  provideBff<ExampleRouter>({ url: 'https://api.example.com' }, { routes });

  const trpc = injectTrpc<ExampleRouter>();
  void trpc.chat.send.mutate({ text: 'hi' });
  // @ts-expect-error: the typed client knows the app's procedures.
  void trpc.chat.sendd.mutate({ text: 'hi' });
  // The machinery's view of any compatible client.
  const machinery: BffClient = trpc;
  void machinery;
}
