import { describe, expect, it, vi } from 'vitest';
import { insertCanned, menuKey, preview, rankCanned, slashQuery, validShortcut, variableProblem } from '../src/lib/canned';
import { draftSaver } from '../src/lib/drafts';
import { addWriter, pruneWriters, writersIn } from '../src/state/composerActivity';
import { writersText } from '../src/ui/ComposerWriters';
import type { CannedReply, ComposerActivity } from '../src/api/types';
import { en } from '../src/i18n/en';
import { de } from '../src/i18n/de';
import { translate, type Key } from '../src/i18n';

const t = (k: Key, v?: Record<string, string | number>) => translate(en, k, v);

function reply(shortcut: string, title = '', scope: 'shared' | 'personal' = 'shared'): CannedReply {
  return { id: `id-${shortcut}-${scope}`, scope, shortcut, title, text: `text of ${shortcut}`, created_by: 'u', created_at: '', updated_at: '' };
}

describe('the composer / menu', () => {
  it('opens on a / at the start of the text or after a space, up to the caret', () => {
    expect(slashQuery('/', 1)).toEqual({ start: 0, q: '' });
    expect(slashQuery('/gru', 4)).toEqual({ start: 0, q: 'gru' });
    expect(slashQuery('Hallo /grü', 10)).toEqual({ start: 6, q: 'grü' });
    expect(slashQuery('line\n/x', 7)).toEqual({ start: 5, q: 'x' });
    // Only the part before the caret counts.
    expect(slashQuery('/greeting', 3)).toEqual({ start: 0, q: 'gr' });
  });
  it('stays closed for URLs, dates, spaces after the shortcut and long words', () => {
    expect(slashQuery('see https://x.org/a', 19)).toBeNull();
    expect(slashQuery('on 1/2', 6)).toBeNull();
    expect(slashQuery('/hi there', 9)).toBeNull();
    expect(slashQuery(`/${'a'.repeat(33)}`, 34)).toBeNull();
    expect(slashQuery('no slash', 8)).toBeNull();
  });
  it('ranks shortcuts that start with the query first, then title and inner matches, folded', () => {
    const items = [reply('abschied', 'Grüße zum Schluss'), reply('grüße'), reply('hallo'), reply('morgengruss'), reply('grüße', '', 'personal')];
    expect(rankCanned(items, 'GRU').map((r) => r.id)).toEqual(['id-grüße-shared', 'id-grüße-personal', 'id-abschied-shared', 'id-morgengruss-shared']);
    expect(rankCanned(items, '').length).toBe(5);
    expect(rankCanned(items, 'xyz')).toEqual([]);
  });
  it('moves with the arrows (wrapping), picks with Enter or Tab, closes with Escape', () => {
    expect(menuKey('ArrowDown', 0, 3)).toEqual({ kind: 'move', active: 1 });
    expect(menuKey('ArrowDown', 2, 3)).toEqual({ kind: 'move', active: 0 });
    expect(menuKey('ArrowUp', 0, 3)).toEqual({ kind: 'move', active: 2 });
    expect(menuKey('Home', 2, 3)).toEqual({ kind: 'move', active: 0 });
    expect(menuKey('End', 0, 3)).toEqual({ kind: 'move', active: 2 });
    expect(menuKey('Enter', 1, 3)).toEqual({ kind: 'pick', index: 1 });
    expect(menuKey('Tab', 5, 3)).toEqual({ kind: 'pick', index: 2 });
    expect(menuKey('Escape', 1, 3)).toEqual({ kind: 'close' });
    expect(menuKey('a', 1, 3)).toEqual({ kind: 'none' });
    // Without matches Enter is the text's (it sends), Escape still closes.
    expect(menuKey('Enter', 0, 0)).toEqual({ kind: 'none' });
    expect(menuKey('Escape', 0, 0)).toEqual({ kind: 'close' });
  });
  it('replaces the typed shortcut with the rendered text and puts the caret after it', () => {
    expect(insertCanned('Hi /gr', 6, 3, 'Hello Jürgen!')).toEqual({ text: 'Hi Hello Jürgen!', caret: 16 });
    expect(insertCanned('/gr and more', 3, 0, 'X')).toEqual({ text: 'X and more', caret: 1 });
  });
  it('previews a reply on one short line', () => {
    expect(preview('a\n\nb   c')).toBe('a b c');
    expect(preview('x'.repeat(100), 10)).toBe(`${'x'.repeat(9)}…`);
  });
});

describe('canned reply checks on the management screen', () => {
  it('names an unknown or unclosed variable as the server does', () => {
    expect(variableProblem('Hello {{customer.name}}, {{ agent.name }} of {{business.name}}')).toBeNull();
    expect(variableProblem('Hi {{customer.phone}}')).toEqual({ name: 'customer.phone' });
    expect(variableProblem('Hi {{customer.name')).toEqual({ unclosed: true });
    expect(t('canned.unknownVar', { name: 'customer.phone' })).toBe(
      'Unknown variable {{customer.phone}}: use {{customer.name}}, {{agent.name}} or {{business.name}}.',
    );
  });
  it('accepts shortcuts of letters, digits, - _ . in any script', () => {
    expect(validShortcut('/grüße_1')).toBe(true);
    expect(validShortcut('привет')).toBe(true);
    expect(validShortcut('good bye')).toBe(false);
    expect(validShortcut('/')).toBe(false);
    expect(validShortcut('a'.repeat(33))).toBe(false);
  });
});

describe('server drafts', () => {
  it('are saved once after typing pauses, flushed when leaving, and dropped after sending', () => {
    vi.useFakeTimers();
    try {
      const saved: string[] = [];
      const s = draftSaver(async (id, text, leaving) => {
        saved.push(`${id}:${text}${leaving ? ':leaving' : ''}`);
      }, 800);
      s.schedule('c1', 'H');
      s.schedule('c1', 'Hel');
      vi.advanceTimersByTime(799);
      expect(saved).toEqual([]);
      vi.advanceTimersByTime(1);
      expect(saved).toEqual(['c1:Hel']);
      s.schedule('c1', 'Hello');
      s.schedule('c2', 'other');
      s.flush('c1');
      expect(saved).toEqual(['c1:Hel', 'c1:Hello']);
      s.flushAll(true);
      expect(saved).toEqual(['c1:Hel', 'c1:Hello', 'c2:other:leaving']);
      s.schedule('c1', 'sent text');
      s.cancel('c1');
      vi.advanceTimersByTime(5000);
      expect(saved.length).toBe(3);
      expect(s.has('c1')).toBe(false);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('someone is typing', () => {
  const now = Date.parse('2026-03-01T10:00:00Z');
  const act = (user: string, name: string, secs: number, conv = 'c1', kind: 'reply' | 'note' = 'reply'): ComposerActivity => ({
    conversation_id: conv,
    user_id: user,
    user_name: name,
    kind,
    expires_at: new Date(now + secs * 1000).toISOString(),
  });
  it('keeps one activity per colleague until it expires, never the viewer own', () => {
    let s = addWriter({}, act('anna', 'Anna', 6), 'me', now);
    s = addWriter(s, act('anna', 'Anna', 8), 'me', now + 1000);
    s = addWriter(s, act('me', 'Me', 6), 'me', now);
    expect(writersIn(s, 'c1', now + 1000).map((x) => x.user_name)).toEqual(['Anna']);
    expect(writersIn(s, 'c1', now + 7000).length).toBe(1); // refreshed to 8 s
    expect(writersIn(s, 'c1', now + 8000)).toEqual([]);
    expect(pruneWriters(s, now + 9000)).toEqual({});
    expect(writersIn(s, 'c2', now)).toEqual([]);
  });
  it('words one writer, a note, and several in every language', () => {
    expect(writersText(t, [act('anna', 'Anna', 6)], 'en')).toBe('Anna is typing…');
    expect(writersText(t, [act('anna', 'Anna', 6, 'c1', 'note')], 'en')).toBe('Anna is writing a note…');
    expect(writersText(t, [act('anna', 'Anna', 6), act('ben', 'Ben', 6)], 'en')).toBe('Anna and Ben are typing…');
    const tde = (k: Key, v?: Record<string, string | number>) => translate(de, k, v);
    expect(writersText(tde, [act('anna', 'Anna', 6)], 'de')).toBe('Anna schreibt …');
    expect(writersText(t, [], 'en')).toBe('');
  });
});
