import type { DeadLetter } from '../api/types';

/**
 * DeadLetterKind is what an administrator needs to know first about a dead
 * letter: which fix it waits for. The server's reason (internal/worker/ingest.go)
 * is shown as well, since it may name several causes.
 */
export type DeadLetterKind = 'unknownNumber' | 'noSender' | 'failed' | 'template' | 'other';

const kinds: [RegExp, DeadLetterKind][] = [
  [/unknown phone number id/i, 'unknownNumber'],
  [/without a sender/i, 'noSender'],
  [/^template status update/i, 'template'],
  [/^could not be applied/i, 'failed'],
];

/** deadLetterKind classifies a dead letter's reason, first match wins; an unknown reason is 'other'. */
export function deadLetterKind(reason: string): DeadLetterKind {
  for (const [re, kind] of kinds) if (re.test(reason)) return kind;
  return 'other';
}

/** sortDeadLetters orders dead letters newest first (by when they were kept, then by id), without changing the input. */
export function sortDeadLetters(list: readonly DeadLetter[]): DeadLetter[] {
  return [...list].sort((a, b) => Date.parse(b.dead_at) - Date.parse(a.dead_at) || b.id - a.id);
}

/** channelName names a dead letter's channel by the channels the page knows, or by its id. */
export function channelName(channels: readonly { id: string; name: string }[] | null, id: string): string {
  return channels?.find((c) => c.id === id)?.name || id;
}
