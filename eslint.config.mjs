// Flat config: typescript-eslint's recommended rules for the extension, CLI, tests, scripts, benchmarks and webviews;
// its type-checked rules for src/; and the import boundaries of ../shared/docs/architecture.md (the never-arrows
// between layers, and no import circle), so the layout stays what the architecture says.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';

/** The editor layer: everything that may import vscode. */
const EDITOR = ['./src/commands', './src/views', './src/webview', './src/terminals', './src/notebook', './src/extension.ts', './src/services.ts', './src/testApi.ts'];
/** The front ends above core that run without an editor. */
const CLI = ['./src/cli', './src/cli.ts'];
/**
 * What the webview pages (media/) may take from core: the vocabulary of their protocols with the host (dataset
 * requests and results, filter validation, query values, the notebook's table output format). Anything else in core
 * would be bundled into a page that has no lake, no engine and no Node.
 */
const PAGE_VOCABULARY = ['./dashboard/model.ts', './dashboard/parameters.ts', './query/engine.ts', './notebook/execute.ts'];

/** The never-arrows: `target` must not import from `from`. */
const BOUNDARIES = [
  { target: './src/core', from: [...EDITOR, ...CLI], message: 'core knows no editor and no front end: the editor and the CLI take what they need from core, never the other way.' },
  { target: ['./src/core/dashboard', './src/core/query'], from: './src/core/aws', message: 'the dashboard and the query engine are mode-neutral: the AWS engine implements their interfaces, they do not import it.' },
  { target: './src/core/lake', from: './src/core/dashboard', message: 'the local engine does not import the dashboard: recording its answers is a hook the backend hands the pipeline.' },
  { target: ['./src/core/lake', './src/core/aws', './src/core/query', './src/core/dashboard', './src/core/run', './src/core/source'], from: './src/core/backend',
    // An engine implements the seam's interfaces (backend/types.ts); the factory and the backends are above it.
    except: ['./types.ts'], message: 'engines and the run vocabulary sit below the backend: the backend builds them, they do not reach up to it.' },
  { target: './src/core/run', from: ['./src/core/lake', './src/core/aws'], message: 'the run vocabulary is mode-neutral: it imports nothing of either engine.' },
  { target: './media', from: './src/core', except: PAGE_VOCABULARY, message: 'a webview page takes from core only its protocol vocabulary (eslint.config.mjs PAGE_VOCABULARY).' },
  { target: './media', from: [...EDITOR.filter((p) => p !== './src/webview'), ...CLI], message: 'a webview page talks to the host through its protocol, not by importing the host.' },
];

/**
 * The import boundaries and no circle, resolved as TypeScript resolves them (type-only imports count too). Exported
 * on its own so test/unit/lintBoundaries.test.ts can show each boundary failing on a planted import.
 */
export const importBoundaries = [{
  files: ['src/**/*.ts', 'media/**/*.ts'],
  languageOptions: { parser: tseslint.parser },
  plugins: { 'import-x': importX },
  settings: {
    'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.js', '.json'] })],
    // no-cycle follows the imports of the imported files too: they are TypeScript.
    'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
    'import-x/extensions': ['.ts', '.js'],
  },
  rules: {
    'import-x/no-restricted-paths': ['error', { basePath: import.meta.dirname, zones: BOUNDARIES }],
    'import-x/no-cycle': ['error', { ignoreExternal: true }],
  },
}];

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
    // The product's code gets every type-checked rule of typescript-eslint's recommended set.
    files: ['src/**/*.ts'],
    extends: [tseslint.configs.recommendedTypeCheckedOnly],
  },
  {
    // core and the CLI run without an editor (tests, benchmarks, the command line): only the editor layer imports it.
    files: ['src/core/**', 'src/cli/**', 'src/cli.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'vscode', message: 'src/core and the CLI must not depend on the editor; put editor code in src/commands, src/views, src/webview or src/terminals.' }] }],
    },
  },
  ...importBoundaries,
  { files: ['src/**', 'test/**', 'bench/**', 'scripts/**', '*.js', '*.mjs'], languageOptions: { globals: { ...globals.node } } },
  { files: ['media/**'], languageOptions: { globals: { ...globals.browser } } },
  // webpack.config.js and bin/ are CommonJS.
  { files: ['**/*.js'], languageOptions: { sourceType: 'commonjs' }, rules: { '@typescript-eslint/no-require-imports': 'off' } },
);
