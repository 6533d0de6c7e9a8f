// Types of scripts/api-types-lib.mjs for test/openapi.test.ts.
export declare const schemaPath: URL;
export declare const typesPath: URL;
export declare function generate(): Promise<string>;
