/**
 * Compile-time checks of the typed client, run by `npm run typecheck`: each
 * `@ts-expect-error` fails the check if the line below it ever compiles.
 */
import type { TrpcClient } from './trpc-client';

declare const trpc: TrpcClient;

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
  const history = await trpc.chat.history.query();
  const author: string | undefined = history[0]?.author.name;
  const subscription = trpc.chat.onMessage.subscribe(undefined, {
    onData: (message) => {
      const text: string = message.text;
      // @ts-expect-error: sentAt is an ISO string.
      const sentAt: Date = message.sentAt;
      void [text, sentAt];
    },
  });
  subscription.unsubscribe();
  // @ts-expect-error: chat.onMessage takes no input.
  trpc.chat.onMessage.subscribe({ room: 'general' }, {});
  const analytics = await trpc.analytics.query();
  // @ts-expect-error: calls is a number.
  const calls: string | undefined = analytics.procedures[0]?.calls;
  void [sub, groups, author, calls];
}
