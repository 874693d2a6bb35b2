import { chatHistoryInputSchema, chatMessageSchema, chatSendInputSchema } from '@bff/shared';
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
});
