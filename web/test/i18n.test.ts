import { describe, expect, it } from 'vitest';
import { dictionaries, pickLanguage, translate, type Lang } from '../src/i18n';
import { en } from '../src/i18n/en';

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('dictionaries', () => {
  const langs = Object.keys(dictionaries) as Lang[];
  const keys = Object.keys(en).sort();

  it('has the four languages', () => {
    expect(langs.sort()).toEqual(['de', 'en', 'ru', 'uk']);
  });

  for (const lang of langs) {
    it(`${lang} has every key, no extra key, no empty text and the same placeholders`, () => {
      const d = dictionaries[lang] as Record<string, string>;
      expect(Object.keys(d).sort()).toEqual(keys);
      for (const k of keys) {
        const v = d[k] ?? '';
        expect(v.trim(), `${lang}:${k} is empty`).not.toBe('');
        expect(placeholders(v), `${lang}:${k} placeholders`).toEqual(placeholders((en as Record<string, string>)[k] ?? ''));
      }
    });
  }

  it('translates other languages, not English copies (spot check)', () => {
    for (const lang of ['de', 'uk', 'ru'] as const) {
      const d = dictionaries[lang] as Record<string, string>;
      const same = Object.keys(en).filter((k) => d[k] === (en as Record<string, string>)[k] && /[a-z]{4}/.test(d[k] ?? ''));
      // Some words are the same in German and English (Status, Video, Details…); a copy of English is not.
      expect(same.length, `${lang} leaves ${same.join(', ')} in English`).toBeLessThan(Object.keys(en).length * 0.05);
    }
  });
});

describe('language choice', () => {
  it('prefers the stored choice, then the browser languages, then English', () => {
    expect(pickLanguage('uk', ['de-DE'])).toBe('uk');
    expect(pickLanguage(null, ['fr-FR', 'de-AT', 'en'])).toBe('de');
    expect(pickLanguage('xx', ['ru'])).toBe('ru');
    expect(pickLanguage(null, ['fr'])).toBe('en');
  });

  it('fills placeholders', () => {
    expect(translate(dictionaries.de, 'login.throttled', { seconds: 42 })).toContain('42');
    expect(translate(dictionaries.en, 'inbox.emptySearch', { q: 'Müller' })).toBe('No conversation matches “Müller”.');
  });
});
