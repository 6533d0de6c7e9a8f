// The app's API types are generated from internal/api/openapi.json into
// src/api/schema.d.ts (npm run api-types); the Go test
// TestResponsesMatchOpenAPI holds the server's responses to the same
// document. This test fails when the generated file no longer matches the
// document, so a changed server contract changes the types the app is
// compiled against.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generate, typesPath } from '../scripts/api-types-lib.mjs';

describe('API types', () => {
  it('src/api/schema.d.ts is generated from the current openapi.json (run npm run api-types)', async () => {
    expect(readFileSync(typesPath, 'utf8') === (await generate())).toBe(true);
  }, 30_000);
});
