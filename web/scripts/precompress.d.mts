// Types of scripts/precompress.mjs for vite.config.ts and test/precompress.test.ts.
import type { Plugin } from 'vite';
export declare function brotli(raw: Uint8Array): Buffer;
export declare function precompressDir(dir: string): string[];
export declare function precompress(): Plugin;
