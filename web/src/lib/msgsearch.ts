import { tokenize } from './search';

// Message search on the client: which words of a snippet to mark, and the
// message a search result opens, highlighted once the thread shows it.
// The server's rule (internal/seal/textterms.go): every folded query word
// must occur as a whole word, and a query word of exactly four letters also
// matches the words that start with it.

export const maxQueryChars = 100;
export const maxQueryWords = 8;

export interface Segment {
  text: string;
  hit: boolean;
}

/** queryWords folds a message search query into its words, as the server does. */
export function queryWords(q: string): string[] {
  return tokenize(q);
}

/** queryProblem names what makes a query unusable before it is sent, or returns null. */
export function queryProblem(q: string): 'empty' | 'tooLong' | 'tooManyWords' | null {
  const words = queryWords(q);
  if (words.length === 0) return 'empty';
  if ([...q.trim()].length > maxQueryChars) return 'tooLong';
  if (words.length > maxQueryWords) return 'tooManyWords';
  return null;
}

function wordMatches(word: string, qs: string[]): boolean {
  return tokenize(word).some((f) => qs.some((w) => f === w || ([...w].length === 4 && f.startsWith(w))));
}

/** highlight splits a snippet into runs of text, marking the words that match the query. */
export function highlight(snippet: string, q: string): Segment[] {
  const qs = queryWords(q);
  const out: Segment[] = [];
  const push = (text: string, hit: boolean) => {
    const last = out[out.length - 1];
    if (last && last.hit === hit) last.text += text;
    else out.push({ text, hit });
  };
  // Words are runs of letters, digits and combining marks, as the server splits them.
  for (const part of snippet.split(/([\p{L}\p{Nd}\p{M}]+)/u)) {
    if (part === '') continue;
    push(part, /^[\p{L}\p{Nd}\p{M}]+$/u.test(part) && wordMatches(part, qs));
  }
  return out;
}

// The message a search result asked to show: the conversation view
// scrolls to it and marks it once it has loaded far enough back.
let pending: { conversationId: string; messageId: string } | null = null;

/** showAfterOpen asks the next view of conversationId to scroll to and highlight messageId (a message or a note). */
export function showAfterOpen(conversationId: string, messageId: string): void {
  pending = { conversationId, messageId };
}

/** pendingFor returns the message a search result asked to show in conversationId, or null. */
export function pendingFor(conversationId: string): string | null {
  return pending && pending.conversationId === conversationId ? pending.messageId : null;
}

/** shown forgets the request once the view has shown the message (or given up). */
export function shown(): void {
  pending = null;
}
