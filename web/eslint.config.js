// ESLint for the web app (flat config): JavaScript's and typescript-eslint's
// recommended rules everywhere, the React hooks rules for the app, and an
// import boundary that keeps the state layer free of UI modules. `make test`
// runs it (the web-lint target); warnings fail too (--max-warnings 0).
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import { defineConfig } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default defineConfig(
  { ignores: ['dist/', 'node_modules/', 'test-results/', 'src/api/schema.d.ts'] },
  // A disable comment that no longer suppresses anything is an error.
  { linterOptions: { reportUnusedDisableDirectives: 'error' } },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    files: ['src/**/*.{ts,tsx}'],
    extends: [reactHooks.configs.flat.recommended],
    languageOptions: { globals: globals.browser },
    rules: {
      // The rules of hooks and exhaustive dependencies are errors here; an
      // effect that must run only once says why next to its disable comment.
      'react-hooks/exhaustive-deps': 'error',
      // This React Compiler rule flags the screens' fetch-on-change effects
      // (set "loading", then fetch; hide a banner when the socket opens).
      // They are deliberate and cause one extra render, and the app does not
      // use the compiler; rewriting them is a change of the screens, not of
      // their correctness.
      'react-hooks/set-state-in-effect': 'off',
    },
  },
  {
    files: ['**/*.mjs', 'scripts/**', 'e2e/**', 'test/**', '*.config.{js,ts}'],
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
  },
  {
    // The state layer (stores, the reducer, the socket), the API client,
    // the helpers and i18n are below the UI: they must not import it, so
    // they can be tested without React components and reused by any screen.
    files: ['src/state/**', 'src/api/**', 'src/lib/**', 'src/i18n/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/ui', '**/ui/**', './ui/**'],
              message: 'The state layer, API and helpers must not import UI modules (src/ui); move what they need below the UI.',
            },
          ],
        },
      ],
    },
  },
);
