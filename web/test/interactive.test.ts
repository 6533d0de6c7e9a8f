import { describe, expect, it } from 'vitest';
import { chars, clean, httpsURL, limits, problems, slug } from '../src/lib/interactive';
import type { InteractiveSend } from '../src/api/types';

const buttons = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `b${i}`, title: `Button ${i}` }));

describe('interactive limits', () => {
  it('accepts reply buttons within the limits and refuses a fourth button', () => {
    expect(problems({ kind: 'button', body: 'Pick one', buttons: buttons(3) })).toEqual([]);
    expect(problems({ kind: 'button', body: 'Pick one', buttons: buttons(4) }).map((p) => p.key)).toContain('ia.p.buttons');
  });
  it('counts characters, not UTF-16 units', () => {
    expect(chars('👍👍')).toBe(2);
    const title = '👍'.repeat(limits.buttonTitle);
    expect(problems({ kind: 'button', body: 'x', buttons: [{ id: 'a', title }] })).toEqual([]);
    expect(problems({ kind: 'button', body: 'x', buttons: [{ id: 'a', title: title + 'x' }] })[0]).toEqual({
      key: 'ia.p.tooLong',
      vars: { field: 'buttonTitle', max: 20 },
    });
  });
  it('limits a list to ten rows in all sections and needs titles on several sections', () => {
    const rows = (n: number, p: string) => Array.from({ length: n }, (_, i) => ({ id: `${p}${i}`, title: `Row ${i}` }));
    const ok: InteractiveSend = { kind: 'list', body: 'x', list_button: 'Open', sections: [{ title: 'A', rows: rows(5, 'a') }, { title: 'B', rows: rows(5, 'b') }] };
    expect(problems(ok)).toEqual([]);
    const tooMany = { ...ok, sections: [...ok.sections!, { title: 'C', rows: rows(1, 'c') }] };
    expect(problems(tooMany).map((p) => p.key)).toContain('ia.p.rows');
    const untitled = { ...ok, sections: [{ rows: rows(1, 'a') }, { title: 'B', rows: rows(1, 'b') }] };
    expect(problems(untitled).map((p) => p.key)).toContain('ia.p.sectionTitle');
    expect(problems({ ...ok, body: 'é'.repeat(4096) })).toEqual([]);
  });
  it('takes only https links', () => {
    expect(httpsURL('https://example.com/a?b=1')).toBe(true);
    expect(httpsURL('http://example.com')).toBe(false);
    expect(httpsURL('javascript:alert(1)')).toBe(false);
    expect(httpsURL('https://u:p@example.com')).toBe(false);
    expect(problems({ kind: 'cta_url', body: 'x', display_text: 'Open', url: 'http://x.test' }).map((p) => p.key)).toEqual(['ia.p.https']);
  });
  it('cleans what the kind does not use', () => {
    expect(clean({ kind: 'cta_url', body: ' Go ', header: ' ', display_text: 'Open', url: 'https://x.test', buttons: buttons(1) })).toEqual({
      kind: 'cta_url',
      body: 'Go',
      display_text: 'Open',
      url: 'https://x.test',
    });
  });
  it('makes unique ids from titles', () => {
    const taken = new Set<string>(['yes']);
    expect(slug('Yes', taken)).toBe('yes-2');
    expect(slug('Morgen 9:00', new Set())).toBe('morgen-9-00');
    expect(slug('!!!', new Set())).toBe('option');
  });
});
