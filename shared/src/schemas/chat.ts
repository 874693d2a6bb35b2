import { z } from 'zod';
import { CHAT_MESSAGE_MAX_LENGTH } from '../chat.js';

/** Input of `chat.send`. The author is never part of it: it comes from the session. */
export const chatSendInputSchema = z.object({
  text: z.string().trim().min(1, 'A message cannot be empty.').max(CHAT_MESSAGE_MAX_LENGTH, `A message has at most ${CHAT_MESSAGE_MAX_LENGTH} characters.`),
});
export type ChatSendInput = z.infer<typeof chatSendInputSchema>;

export const chatMessageSchema = z.object({
  id: z.string(),
  text: z.string(),
  author: z.object({ sub: z.string(), name: z.string() }),
  /** ISO 8601 instant. */
  sentAt: z.iso.datetime(),
});
export type ChatMessage = z.infer<typeof chatMessageSchema>;

/** Input of `chat.history`: how many of the most recent messages to return. */
/** What `chat.deleteMine` answers: how many of the caller's messages were deleted. */
export const chatDeleteMineOutputSchema = z.object({ deleted: z.number().int().min(0) });
export type ChatDeleteMineOutput = z.infer<typeof chatDeleteMineOutputSchema>;

export const chatHistoryInputSchema = z.object({ limit: z.number().int().min(1).max(200).default(50) }).default({ limit: 50 });
export type ChatHistoryInput = z.input<typeof chatHistoryInputSchema>;
