// The one definition of how src/api/schema.d.ts is made, shared by
// scripts/api-types.mjs and test/openapi.test.ts.
import { readFileSync } from 'node:fs';
import openapiTS, { astToString } from 'openapi-typescript';

export const schemaPath = new URL('../../internal/api/openapi.json', import.meta.url);
export const typesPath = new URL('../src/api/schema.d.ts', import.meta.url);

const header = `// Generated from internal/api/openapi.json by scripts/api-types.mjs
// (openapi-typescript). Do not edit: change the document, then run
// \`npm run api-types\`. test/openapi.test.ts fails when this file is stale.

`;

/** generate returns the contents src/api/schema.d.ts must have. */
export async function generate() {
  const doc = JSON.parse(readFileSync(schemaPath, 'utf8'));
  const ast = await openapiTS(doc, { emptyObjectsUnknown: true });
  return header + astToString(ast);
}
