// Unsent composer text, per user and conversation, for the life of the tab:
// switching chats, a session that ends and signing in again keep it.

const texts = new Map<string, string>();

const key = (userId: string, convId: string) => `${userId}\u0000${convId}`;

export const drafts = {
  get: (userId: string, convId: string): string => texts.get(key(userId, convId)) ?? '',
  set: (userId: string, convId: string, text: string): void => {
    if (text) texts.set(key(userId, convId), text);
    else texts.delete(key(userId, convId));
  },
  /** restore puts back a reply that could not be sent, ahead of anything typed since. */
  restore: (userId: string, convId: string, text: string): void => {
    const now = texts.get(key(userId, convId)) ?? '';
    if (now.includes(text)) return;
    texts.set(key(userId, convId), now ? `${text}\n${now}` : text);
  },
};
