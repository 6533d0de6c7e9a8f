import { mkdtempSync, mkdirSync, readFileSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { brotli, precompressDir } from '../scripts/precompress.mjs';

describe('precompress', () => {
  it('writes a Brotli copy that decodes to the file, for text files that shrink only', () => {
    const dir = mkdtempSync(join(tmpdir(), 'precompress-'));
    mkdirSync(join(dir, 'assets'));
    const js = "console.log('switchboard');\n".repeat(500);
    writeFileSync(join(dir, 'index.html'), '<!doctype html>' + '<!-- x -->'.repeat(200));
    writeFileSync(join(dir, 'assets', 'index-Ab12.js'), js);
    writeFileSync(join(dir, 'assets', 'tiny-Ef56.css'), 'a{}');
    writeFileSync(join(dir, 'assets', 'logo-Cd34.png'), Buffer.alloc(2000, 0x89));

    const written = precompressDir(dir).map((f) => f.slice(dir.length + 1)).sort();

    expect(written).toEqual(['assets/index-Ab12.js.br', 'index.html.br']);
    const br = readFileSync(join(dir, 'assets', 'index-Ab12.js.br'));
    expect(br.length).toBeLessThan(js.length / 20);
    expect(brotliDecompressSync(br).toString()).toBe(js);
    expect(existsSync(join(dir, 'assets', 'tiny-Ef56.css.br'))).toBe(false);
    expect(existsSync(join(dir, 'assets', 'logo-Cd34.png.br'))).toBe(false);
  });

  it('is reproducible', () => {
    const raw = Buffer.from('export const a = 1;\n'.repeat(100));
    expect(brotli(raw).equals(brotli(raw))).toBe(true);
  });
});
