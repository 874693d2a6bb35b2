/**
 * Compile-time checks of the app's typed client (`injectTrpc<AppRouter>()`), run by `npm run
 * typecheck`: each `@ts-expect-error` fails the check if the line below it ever compiles.
 */
import type { AppRouter } from '@bff/server/router';
import type { BffClient, BffCompatibleRouter } from '@oidc-bff/angular';
import type { TRPCClient } from '@trpc/client';

declare const trpc: TRPCClient<AppRouter>;

// The app's router merges the BFF's own (provideBff<AppRouter> accepts it), and its client is one the machinery can use.
export type AppRouterIsBffCompatible = AppRouter extends BffCompatibleRouter ? true : never;
export const appRouterIsBffCompatible: AppRouterIsBffCompatible = true;
export const machineryView: BffClient = trpc;

export async function typeTests(): Promise<void> {
  // @ts-expect-error: there is no such procedure.
  await trpc.deleteEverything.mutate();
  // @ts-expect-error: chat.sendd is a typo.
  await trpc.chat.sendd.mutate({ text: 'hi' });
  // @ts-expect-error: chat.send takes { text: string }.
  await trpc.chat.send.mutate({ body: 'hi' });
  // @ts-expect-error: text must be a string.
  await trpc.chat.send.mutate({ text: 42 });
  // @ts-expect-error: chat.send needs an input.
  await trpc.chat.send.mutate();
  // @ts-expect-error: limit is a number.
  await trpc.chat.history.query({ limit: '10' });
  // @ts-expect-error: me is a query, not a mutation.
  await trpc.me.mutate();

  const me = await trpc.me.query();
  const sub: string = me.user.sub;
  // @ts-expect-error: groups is a string array.
  const groups: number[] = me.user.groups;
  const roles: readonly string[] = me.user.roles;
  // @ts-expect-error: roles is a string array, not a single role.
  const role: string = me.user.roles;
  const history = await trpc.chat.history.query();
  const author: string | undefined = history[0]?.author.name;
  // Tracked events: each carries the message id (what a reconnection resumes after) and the message.
  const subscription = trpc.chat.onMessage.subscribe(
    { lastEventId: null },
    {
      onData: (event) => {
        const id: string = event.id;
        const text: string = event.data.text;
        // @ts-expect-error: the message is under data, not the event itself.
        const untracked: string = event.text;
        // @ts-expect-error: sentAt is an ISO string.
        const sentAt: Date = event.data.sentAt;
        void [id, text, untracked, sentAt];
      },
    },
  );
  subscription.unsubscribe();
  trpc.chat.onMessage.subscribe(undefined, { onData: () => undefined }).unsubscribe();
  // @ts-expect-error: chat.onMessage takes only where to resume (lastEventId).
  trpc.chat.onMessage.subscribe({ room: 'general' }, {});
  // @ts-expect-error: lastEventId is a message id (string), not a number.
  trpc.chat.onMessage.subscribe({ lastEventId: 42 }, {});
  const analytics = await trpc.analytics.query();
  // @ts-expect-error: calls is a number.
  const calls: string | undefined = analytics.procedures[0]?.calls;
  const instance: string = analytics.instance;
  void [sub, groups, roles, role, author, calls, instance];
}
