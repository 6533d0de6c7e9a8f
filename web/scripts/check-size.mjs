// check-size fails the build when the JavaScript a first visit loads grows
// past the budget. "Initial" means the entry script from index.html and every
// chunk it imports statically (modulepreload links); lazily loaded chunks
// (the administration screens) are reported but not counted.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const budget = 250 * 1024;
const dist = new URL('../dist/', import.meta.url).pathname;
const html = readFileSync(join(dist, 'index.html'), 'utf8');

const initial = new Set();
for (const m of html.matchAll(/<(?:script[^>]*\bsrc|link[^>]*rel="modulepreload"[^>]*\bhref)="\/([^"]+\.js)"/g)) {
  initial.add(m[1]);
}
if (initial.size === 0) {
  console.error('check-size: no script found in dist/index.html; run npm run build first');
  process.exit(1);
}

const gz = (file) => gzipSync(readFileSync(join(dist, file)), { level: 9 }).length;
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;

let total = 0;
for (const f of initial) {
  const n = gz(f);
  total += n;
  console.log(`initial  ${kb(n).padStart(9)}  ${f}`);
}
const assets = readdirSync(join(dist, 'assets')).filter((a) => !a.endsWith('.br'));
for (const f of assets.map((a) => `assets/${a}`).filter((f) => !initial.has(f))) {
  console.log(`${f.endsWith('.js') ? 'lazy   ' : 'asset  '}  ${kb(gz(f)).padStart(9)}  ${f}`);
}
console.log(`initial JavaScript: ${kb(total)} gzip (budget ${kb(budget)})`);
if (total > budget) {
  console.error('check-size: over budget');
  process.exit(1);
}
