// The `@` mentions of a private note: finding the word being typed after
// an @, putting a picked name in its place, and which picked people the
// text still mentions when the note is sent.

export interface Picked {
  id: string;
  name: string;
}

/**
 * mentionQuery returns the text typed after an @ that starts a word and
 * ends at the caret (at most 40 characters, no line break), or null when
 * the caret is not in a mention.
 */
export function mentionQuery(text: string, caret: number): { start: number; q: string } | null {
  const before = text.slice(0, caret);
  const at = before.lastIndexOf('@');
  if (at < 0) return null;
  if (at > 0 && !/\s|[([{"'«„]/.test(before[at - 1] ?? '')) return null;
  const q = before.slice(at + 1);
  if (q.length > 40 || /[\n@]/.test(q) || /\s{2}/.test(q)) return null;
  return { start: at, q };
}

/** insertMention replaces the mention being typed with "@name " and returns the new text and caret. */
export function insertMention(text: string, caret: number, start: number, name: string): { text: string; caret: number } {
  const token = `@${name} `;
  const rest = text.slice(caret).replace(/^\S*/, '');
  const out = text.slice(0, start) + token + rest.replace(/^ /, '');
  return { text: out, caret: start + token.length };
}

/** mentionedIds keeps the picked people whose "@name" is still in the text, each once. */
export function mentionedIds(text: string, picked: Picked[]): string[] {
  const out: string[] = [];
  for (const p of picked) {
    if (text.includes(`@${p.name}`) && !out.includes(p.id)) out.push(p.id);
  }
  return out;
}
