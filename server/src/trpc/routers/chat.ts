import { on } from 'node:events';
import { chatHistoryInputSchema, chatMessageSchema, chatSendInputSchema, type ChatMessage } from '@bff/shared';
import { z } from 'zod';
import { protectedProcedure, router } from '../trpc.js';

export const chatRouter = router({
  /** Posts a message; the author is the session's user, never part of the input. */
  send: protectedProcedure
    .input(chatSendInputSchema)
    .output(chatMessageSchema)
    .mutation(({ ctx, input }) => ctx.services.chat.add(input.text, { sub: ctx.user.sub, name: ctx.user.name })),

  history: protectedProcedure
    .input(chatHistoryInputSchema)
    .output(z.array(chatMessageSchema))
    .query(({ ctx, input }) => ctx.services.chat.recent(input.limit)),

  /**
   * Streams every new message (server-sent events). The stream closes when the
   * session ends (logout, back-channel logout, expiry noticed by this instance).
   */
  onMessage: protectedProcedure.subscription(async function* ({ ctx, signal }) {
    const { chat, sessions } = ctx.services;
    const ended = new AbortController();
    const onEnded = (id: string) => {
      if (id === ctx.session.id) ended.abort();
    };
    sessions.events.on('ended', onEnded);
    const stop = signal ? AbortSignal.any([signal, ended.signal]) : ended.signal;
    try {
      for await (const [message] of on(chat.events, 'message', { signal: stop })) {
        yield message as ChatMessage;
      }
    } catch (error) {
      if (!stop.aborted) throw error;
    } finally {
      sessions.events.off('ended', onEnded);
    }
  }),
});
