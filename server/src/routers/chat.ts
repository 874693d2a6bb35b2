import { tracked } from '@trpc/server';
import { chatDeleteMineOutputSchema, chatHistoryInputSchema, chatMessageSchema, chatSendInputSchema, type ChatMessage } from '@bff/shared/schemas';
import { z } from 'zod';
import { protectedProcedure, router, stepUpProcedure, streamProcedure } from '@oidc-bff/server';
import { compareIds } from '../chat/chat-store.js';

/** The sign-in strength `deleteMine` needs: a password and a second factor (it must be in `OIDC_ACR_ORDER`). */
export const SECOND_FACTOR_ACR = 'urn:bff:loa:mfa';

export const chatRouter = router({
  /** Posts a message; the author is the session's user, never part of the input. */
  send: protectedProcedure
    .input(chatSendInputSchema)
    .output(chatMessageSchema)
    .mutation(({ ctx, input }) => ctx.app.chat.add(input.text, { sub: ctx.user.sub, name: ctx.user.name })),

  /**
   * Deletes all of the caller's own messages: destructive, so it needs a second factor
   * (step-up: a password-only session is refused with `insufficient_user_authentication`, and
   * the client signs in again with the one-time code). Other people's messages stay.
   */
  deleteMine: stepUpProcedure({ acr: SECOND_FACTOR_ACR })
    .output(chatDeleteMineOutputSchema)
    .mutation(async ({ ctx }) => ({ deleted: await ctx.app.chat.deleteBy(ctx.user.sub) })),

  history: protectedProcedure
    .input(chatHistoryInputSchema)
    .output(z.array(chatMessageSchema))
    .query(({ ctx, input }) => ctx.app.chat.recent(input?.limit ?? 50)),

  /**
   * Streams every new message (server-sent events) as tracked events: a client that
   * reconnects, to any instance, sends the last id it saw and gets what it missed, with
   * no gap and no duplicate. The BFF bounds the stream like every subscription (S26): a
   * cap per session, a maximum lifetime, and its session's end or expiry.
   */
  onMessage: streamProcedure.input(z.object({ lastEventId: z.string().max(64).nullish() }).optional()).subscription(async function* ({ ctx, input }) {
    const { chat } = ctx.app;
    const stop = ctx.stream.signal;
    // Listen first, then read the backlog, so that nothing posted in between is lost.
    const queue: ChatMessage[] = [];
    let wake: (() => void) | undefined;
    const stopListening = chat.subscribe((message) => {
      queue.push(message);
      wake?.();
    });
    const onStop = () => wake?.();
    stop.addEventListener('abort', onStop);
    try {
      const resumeAfter = input?.lastEventId ?? undefined;
      if (resumeAfter) queue.unshift(...(await chat.after(resumeAfter)));
      // Messages posted on two instances may arrive out of id order: skip by id, not by order.
      const seen = new Set<string>();
      while (!stop.aborted) {
        const message = queue.shift();
        if (!message) {
          await new Promise<void>((resolve) => (wake = resolve));
          wake = undefined;
          continue;
        }
        if (seen.has(message.id) || (resumeAfter && compareIds(message.id, resumeAfter) <= 0)) continue;
        seen.add(message.id);
        if (seen.size > 1000) seen.delete(seen.values().next().value ?? '');
        yield tracked(message.id, message);
      }
    } finally {
      stop.removeEventListener('abort', onStop);
      stopListening();
    }
  }),
});
