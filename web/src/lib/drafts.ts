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

/** draftDelay is how long after the last keystroke a draft is saved on the server. */
export const draftDelay = 800;

/**
 * draftSaver saves drafts on the server debounced, one pending save per
 * conversation: schedule replaces the pending text, flush sends it now
 * (when leaving the chat, or the tab), cancel drops it.
 */
export function draftSaver(save: (convId: string, text: string, leaving: boolean) => Promise<unknown>, delay = draftDelay) {
  const pending = new Map<string, { text: string; timer: ReturnType<typeof setTimeout> }>();
  const flush = (convId: string, leaving = false) => {
    const p = pending.get(convId);
    if (!p) return;
    clearTimeout(p.timer);
    pending.delete(convId);
    save(convId, p.text, leaving).catch(() => {});
  };
  return {
    schedule(convId: string, text: string) {
      const p = pending.get(convId);
      if (p) clearTimeout(p.timer);
      pending.set(convId, { text, timer: setTimeout(() => flush(convId), delay) });
    },
    flush,
    flushAll(leaving = false) {
      for (const id of [...pending.keys()]) flush(id, leaving);
    },
    cancel(convId: string) {
      const p = pending.get(convId);
      if (p) clearTimeout(p.timer);
      pending.delete(convId);
    },
    has: (convId: string) => pending.has(convId),
  };
}
