// Flat config: typescript-eslint's recommended rules for the extension, CLI, tests, scripts, benchmarks and webviews,
// type-aware promise rules for the TypeScript, and the layering rule that keeps the editor out of core and the CLI.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'dist-vsix/**', 'node_modules/**', '.lab/**', 'vendor/**', '.vscode-test/**', '.venv/**', 'terraform/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      // `_name` marks a parameter kept for a signature (placeholders, callbacks).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    // A promise nobody awaits loses its error; one handed to a callback that ignores it does too.
    files: ['src/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts', 'media/**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
    },
  },
  {
    // core and the CLI run without an editor (tests, benchmarks, the command line): only the editor layer imports it.
    files: ['src/core/**', 'src/cli/**', 'src/cli.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'vscode', message: 'src/core and the CLI must not depend on the editor; put editor code in src/commands, src/views, src/webview or src/terminals.' }] }],
    },
  },
  { files: ['src/**', 'test/**', 'bench/**', 'scripts/**', '*.js', '*.mjs'], languageOptions: { globals: { ...globals.node } } },
  { files: ['media/**'], languageOptions: { globals: { ...globals.browser } } },
  // webpack.config.js and bin/ are CommonJS.
  { files: ['**/*.js'], languageOptions: { sourceType: 'commonjs' }, rules: { '@typescript-eslint/no-require-imports': 'off' } },
);
