import { describe, expect, it } from 'vitest';
import { matchesSearch, tokenize } from '../src/lib/search';

// The same table as internal/seal/blind_test.go, so client and server agree.
describe('matchesSearch mirrors the server search', () => {
  const name = 'Jürgen Müller';
  const phone = '+49 151 23456789';
  const cases: [string, boolean][] = [
    ['jur', true],
    ['Jürgen', true],
    ['JÜRGEN', true],
    ['MÜLL', true],
    ['müller', true],
    ['mueller', true],
    ['jürgen m', true],
    ['m jürgen', true],
    ['j', true],
    ['Müller, Jürgen', true],
    ['xyz', false],
    ['jürgen x', false],
    ['jurgens', false],
    ['urgen', false],
    ['+49 151 2345', true],
    ['0151 23456789', true],
    ['0151 234', true],
    ['23456789', true],
    ['0049151', true],
    ['004915123456789', true],
    ['(0151) 2345-6789', true],
    ['0151/2345', true],
    ['0171 2345', false],
    ['98765', false],
    ['0123', false],
    ['a b c d e f g h i', false],
    ['', true],
  ];
  for (const [q, want] of cases) {
    it(`${JSON.stringify(q)} → ${want}`, () => {
      expect(matchesSearch(q, name, phone)).toBe(want);
    });
  }

  it('a name with a number is not found by any digit of another number (issue 13, item 2)', () => {
    expect(matchesSearch('Chipcount 2', 'Chipcount 2', '4915100000001')).toBe(true);
    expect(matchesSearch('Chipcount 2', 'Chipcount 7', '4915122222222')).toBe(false);
    expect(matchesSearch('Chipcount 2', 'Chipcount 12', '4915100000002')).toBe(false);
  });

  it('tokenizes like the server', () => {
    expect(tokenize('Jürgen-MÜLLER')).toEqual(['jurgen', 'muller']);
    expect(tokenize('Straße Ørsted')).toEqual(['strasse', 'orsted']);
  });
});
