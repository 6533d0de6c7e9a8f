import { describe, expect, it } from 'vitest';
import { highlight, pendingFor, queryProblem, showAfterOpen, shown } from '../src/lib/msgsearch';

const marked = (snippet: string, q: string) =>
  highlight(snippet, q)
    .filter((s) => s.hit)
    .map((s) => s.text);

describe('message search highlight', () => {
  it('marks words case- and accent-insensitively in every script, like the server', () => {
    expect(marked('ПРИВЕТ, как дела?', 'привет')).toEqual(['ПРИВЕТ']);
    expect(marked('Die Straße ist gesperrt', 'STRASSE')).toEqual(['Straße']);
    expect(marked("İstanbul'dan yazıyorum", 'istanbul')).toEqual(['İstanbul']);
    expect(marked('Crème brûlée', 'creme brulee')).toEqual(['Crème', 'brûlée']);
  });
  it('marks words that start with a four-letter query word, and whole words otherwise', () => {
    expect(marked('Hello hell help', 'hell')).toEqual(['Hello', 'hell']);
    expect(marked('Hello hell help', 'hel')).toEqual([]);
    expect(marked('Hello hell help', 'hello')).toEqual(['Hello']);
  });
  it('keeps the whole text, in order', () => {
    expect(
      highlight('a, b! c', 'b')
        .map((s) => s.text)
        .join(''),
    ).toBe('a, b! c');
  });
});

describe('message search query', () => {
  it('names what the server would refuse', () => {
    expect(queryProblem('  ,. ')).toBe('empty');
    expect(queryProblem('x'.repeat(101))).toBe('tooLong');
    expect(queryProblem('a b c d e f g h i')).toBe('tooManyWords');
    expect(queryProblem('заказ')).toBeNull();
  });
});

describe('showing a hit', () => {
  it('is asked of its conversation only, until shown', () => {
    showAfterOpen('c1', 'm1');
    expect(pendingFor('c2')).toBeNull();
    expect(pendingFor('c1')).toBe('m1');
    shown();
    expect(pendingFor('c1')).toBeNull();
  });
});
