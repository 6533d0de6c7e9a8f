// precompress writes a Brotli copy (name.br) beside every text file of the
// build that shrinks by it. The Go server embeds web/dist and sends the .br
// copy to browsers that accept Brotli; compressing at quality 11 takes too
// long to do per request or at start-up, and doing it here keeps the build
// reproducible (Brotli output depends only on the input and the parameters).
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import { brotliCompressSync, constants } from 'node:zlib';

// The same list as compressible() in internal/api/spa.go.
const textTypes = new Set(['.html', '.js', '.mjs', '.css', '.svg', '.json', '.txt', '.map', '.webmanifest']);

export function brotli(raw) {
  return brotliCompressSync(raw, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
      [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
      [constants.BROTLI_PARAM_SIZE_HINT]: raw.length,
    },
  });
}

export function precompressDir(dir) {
  const written = [];
  for (const name of readdirSync(dir)) {
    const file = join(dir, name);
    if (statSync(file).isDirectory()) {
      written.push(...precompressDir(file));
      continue;
    }
    if (!textTypes.has(extname(name))) continue;
    const raw = readFileSync(file);
    const br = brotli(raw);
    if (br.length < raw.length) {
      writeFileSync(`${file}.br`, br);
      written.push(`${file}.br`);
    }
  }
  return written;
}

export function precompress() {
  let outDir = 'dist';
  return {
    name: 'switchboard-precompress',
    apply: 'build',
    configResolved(config) {
      outDir = resolve(config.root, config.build.outDir);
    },
    closeBundle() {
      precompressDir(outDir);
    },
  };
}
