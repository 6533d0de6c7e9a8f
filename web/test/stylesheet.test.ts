import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// An unclosed rule nests everything after it (CSS nesting), which silently
// unstyles the rest of the sheet: every block must close.
describe('the stylesheet', () => {
  it('closes every block it opens', () => {
    const css = readFileSync(fileURLToPath(new URL('../src/styles/app.css', import.meta.url)), 'utf8')
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/'[^'\n]*'|"[^"\n]*"/g, '');
    let depth = 0;
    let line = 1;
    for (const ch of css) {
      if (ch === '\n') line++;
      if (ch === '{') depth++;
      if (ch === '}') depth--;
      expect(depth, `line ${line}`).toBeGreaterThanOrEqual(0);
      // Top-level rules and one level of @media/@supports: never deeper than 3.
      expect(depth, `line ${line}: a rule is not closed`).toBeLessThanOrEqual(3);
    }
    expect(depth).toBe(0);
  });
});
