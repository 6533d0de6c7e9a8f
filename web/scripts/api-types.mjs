// Generates src/api/schema.d.ts, the web app's API types, from the server's
// OpenAPI document (internal/api/openapi.json) with openapi-typescript.
//   node scripts/api-types.mjs          write the file
//   node scripts/api-types.mjs --check  fail if the file is stale
// test/openapi.test.ts runs the same check in `npm test`.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { generate, schemaPath, typesPath } from './api-types-lib.mjs';

const out = await generate();
if (process.argv.includes('--check')) {
  const have = readFileSync(typesPath, 'utf8');
  if (have !== out) {
    console.error(`${fileURLToPath(typesPath)} is stale: run npm run api-types (it is generated from ${fileURLToPath(schemaPath)})`);
    process.exit(1);
  }
  console.log('src/api/schema.d.ts is up to date');
} else {
  writeFileSync(typesPath, out);
  console.log(`wrote ${fileURLToPath(typesPath)}`);
}
