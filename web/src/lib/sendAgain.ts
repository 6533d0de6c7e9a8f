// Whether "Send again" can help a failed message: only after failures a
// retry can mend. The server's table says which WhatsApp codes those are
// (GET /api/v1/send-errors); a send refused by our own server (4xx: the
// file type, the size, the text) fails the same way every time.

import { ApiError } from '../api/client';
import type { Message } from '../api/types';

/** refusedCode marks a local send our server refused for good. */
export const refusedCode = -1;

/** refusedForGood: the server answered 4xx, other than "try later" (408, 425, 429). */
export function refusedForGood(err: unknown): boolean {
  return err instanceof ApiError && err.status >= 400 && err.status < 500 && ![408, 425, 429].includes(err.status);
}

/** windowClosedCode is WhatsApp's "re-engagement message": free text sent after the 24-hour window closed. */
export const windowClosedCode = 131047;

/**
 * canSendAgain decides whether a failed message offers "Send again".
 * retryable is the server's list of codes (null while unknown: then only
 * the sure cases are decided, and the rest may be tried). windowOpen tells
 * whether the conversation's service window is open now: a text refused
 * because the window had closed can succeed once the customer wrote again.
 */
export function canSendAgain(m: Message, retryable: readonly number[] | null, windowOpen = false): boolean {
  if (m.status !== 'failed') return false;
  if (m.id.startsWith('local-')) return m.error?.code !== refusedCode;
  if (m.type !== 'text' && m.type !== 'template') return false;
  if (m.type === 'text' && m.error?.code === windowClosedCode) return windowOpen;
  return retryable === null || retryable.includes(m.error?.code ?? 0);
}
