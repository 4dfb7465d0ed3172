// Flat config: typescript-eslint's recommended rules for the extension, CLI, tests, scripts, benchmarks and webviews.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'dist-vsix/**', 'node_modules/**', '.lab/**', 'vendor/**', '.vscode-test/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      // `_name` marks a parameter kept for a signature (placeholders, callbacks).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  { files: ['src/**', 'test/**', 'bench/**', 'scripts/**', '*.js', '*.mjs'], languageOptions: { globals: { ...globals.node } } },
  { files: ['media/**'], languageOptions: { globals: { ...globals.browser } } },
  // webpack.config.js and bin/ are CommonJS.
  { files: ['**/*.js'], languageOptions: { sourceType: 'commonjs' }, rules: { '@typescript-eslint/no-require-imports': 'off' } },
);
