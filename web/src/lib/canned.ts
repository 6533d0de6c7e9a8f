// The `/` menu of the composer: finding the shortcut being typed, ordering
// the canned replies that match it, moving through them with the keyboard,
// and putting the chosen reply's text in place of the shortcut.

import type { CannedReply } from '../api/types';

/** maxShortcut is the server's limit on a shortcut (characters). */
export const maxShortcut = 32;

/**
 * slashQuery returns the shortcut typed after a `/` that starts the text or
 * follows a space or line break, up to the caret, or null when the caret is
 * not in one (a URL like "a/b" or a date "1/2" opens nothing).
 */
export function slashQuery(text: string, caret: number): { start: number; q: string } | null {
  const before = text.slice(0, caret);
  const at = before.lastIndexOf('/');
  if (at < 0) return null;
  if (at > 0 && !/\s/.test(before[at - 1] ?? '')) return null;
  const q = before.slice(at + 1);
  if ([...q].length > maxShortcut || /[\s/]/.test(q)) return null;
  return { start: at, q };
}

/** fold compares as the server does, roughly: case and accents ignored. */
export function fold(s: string): string {
  return s
    .normalize('NFKD')
    .replace(/\p{Mn}/gu, '')
    .toLowerCase()
    .replace(/ß/g, 'ss')
    .replace(/ı/g, 'i');
}

/**
 * rankCanned orders replies for the menu: shortcuts that start with q
 * first, then the other matches (shortcut or title contains q), each group
 * in the server's order (by shortcut, shared before personal).
 */
export function rankCanned(items: CannedReply[], q: string): CannedReply[] {
  const f = fold(q);
  const starts: CannedReply[] = [];
  const rest: CannedReply[] = [];
  for (const r of items) {
    const s = fold(r.shortcut);
    if (s.startsWith(f)) starts.push(r);
    else if (s.includes(f) || fold(r.title).includes(f)) rest.push(r);
  }
  return [...starts, ...rest];
}

/** MenuAction is what a key does in an open menu. */
export type MenuAction = { kind: 'move'; active: number } | { kind: 'pick'; index: number } | { kind: 'close' } | { kind: 'none' };

/**
 * menuKey decides what a key does in a listbox of n options with the
 * active one at active: arrows move (wrapping), Home and End jump, Enter
 * and Tab pick, Escape closes; any other key is the text's.
 */
export function menuKey(key: string, active: number, n: number): MenuAction {
  if (n <= 0) return key === 'Escape' ? { kind: 'close' } : { kind: 'none' };
  switch (key) {
    case 'ArrowDown':
      return { kind: 'move', active: (active + 1) % n };
    case 'ArrowUp':
      return { kind: 'move', active: (active - 1 + n) % n };
    case 'Home':
      return { kind: 'move', active: 0 };
    case 'End':
      return { kind: 'move', active: n - 1 };
    case 'Enter':
    case 'Tab':
      return { kind: 'pick', index: Math.min(Math.max(active, 0), n - 1) };
    case 'Escape':
      return { kind: 'close' };
    default:
      return { kind: 'none' };
  }
}

/** insertCanned replaces "/shortcut" before the caret with the reply's text and returns the new text and caret. */
export function insertCanned(text: string, caret: number, start: number, reply: string): { text: string; caret: number } {
  const out = text.slice(0, start) + reply + text.slice(caret);
  return { text: out, caret: start + reply.length };
}

/** preview shortens a reply's text for the menu, on one line. */
export function preview(text: string, max = 80): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return [...one].length > max ? `${[...one].slice(0, max - 1).join('')}…` : one;
}

/** cannedVariables are the variables a reply may use, as the server knows them. */
export const cannedVariables = ['customer.name', 'agent.name', 'business.name'] as const;

/**
 * variableProblem finds the first unknown or unclosed variable in a reply's
 * text, as the server checks it: { name } for an unknown one, { unclosed }
 * for a `{{` without `}}`, or null when the text is fine.
 */
export function variableProblem(text: string): { name: string } | { unclosed: true } | null {
  let rest = text;
  for (;;) {
    const i = rest.indexOf('{{');
    if (i < 0) return null;
    const after = rest.slice(i + 2);
    const j = after.indexOf('}}');
    if (j < 0) return { unclosed: true };
    const name = after.slice(0, j).trim();
    if (!(cannedVariables as readonly string[]).includes(name)) return { name };
    rest = after.slice(j + 2);
  }
}

/** validShortcut mirrors the server's rule: 1 to 32 letters, digits, '-', '_' or '.'. */
export function validShortcut(s: string): boolean {
  const v = s.trim().replace(/^\//, '');
  return v.length > 0 && [...v].length <= maxShortcut && /^[\p{L}\p{N}\p{M}._-]+$/u.test(v);
}
