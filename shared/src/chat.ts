/** Longest chat message accepted, in characters. */
export const CHAT_MESSAGE_MAX_LENGTH = 2000;
