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

/**
 * canSendAgain decides whether a failed message offers "Send again".
 * retryable is the server's list of codes (null while unknown: then only
 * the sure cases are decided, and the rest may be tried).
 */
export function canSendAgain(m: Message, retryable: readonly number[] | null): boolean {
  if (m.status !== 'failed') return false;
  if (m.id.startsWith('local-')) return m.error?.code !== refusedCode;
  if (m.type !== 'text' && m.type !== 'template') return false;
  return retryable === null || retryable.includes(m.error?.code ?? 0);
}
