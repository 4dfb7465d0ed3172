// @ts-check
'use strict';
const path = require('node:path');
const TerserPlugin = require('terser-webpack-plugin');
const { ThirdPartyNoticesPlugin } = require('./scripts/thirdPartyNotices');

/**
 * Production bundles are minified by swc through terser-webpack-plugin: the same size as terser's output, in a
 * fraction of the time (bench/build.md).
 */
const optimization = { minimizer: [new TerserPlugin({ minify: TerserPlugin.swcMinify })] };

/**
 * dist/THIRD_PARTY_NOTICES.txt (shipped in the .vsix): the name, version, licence and licence files of every npm package
 * any of the three configurations bundled. One instance for all three: it writes the file once each has emitted.
 */
const { displayName, version } = require('./package.json');
const notices = new ThirdPartyNoticesPlugin({
  file: path.resolve(__dirname, 'dist', 'THIRD_PARTY_NOTICES.txt'),
  title: `${displayName} ${version}: third-party notices`,
  note: 'Not bundled, so not listed: DuckDB\'s native binding (@duckdb/node-bindings, its platform package '
    + '@duckdb/node-bindings-<platform> and detect-libc), which ships in the extension\'s node_modules/ with each package\'s '
    + 'own LICENSE beside it.',
});

/**
 * Two bundles: the extension host side (extension + CLI, Node) and the webview side (browser).
 * DuckDB's native binding (@duckdb/node-bindings and its platform package) stays external and ships in node_modules
 * inside the .vsix. Its JavaScript API (@duckdb/node-api, 186 small CommonJS files) is bundled into the chunk the
 * engine's import() loads: one file instead of 186 takes 45-75 ms instead of 185-265 ms on this machine, on the path
 * of every first query (the dashboard's cold open among them).
 */

/** @type {import('webpack').Configuration} */
const nodeConfig = {
  name: 'node',
  target: 'node20',
  entry: {
    extension: './src/extension.ts',
    cli: './src/cli.ts',
  },
  output: {
    path: path.resolve(__dirname, 'dist'),
    filename: '[name].js',
    chunkFilename: 'chunks/[name].js',
    libraryTarget: 'commonjs2',
    // The other configurations' folders, and the notices file the plugin writes after all three have emitted.
    clean: { keep: /^(webview\/|renderer\/|THIRD_PARTY_NOTICES\.txt$)/ },
  },
  externals: {
    vscode: 'commonjs vscode',
    '@duckdb/node-bindings': 'commonjs @duckdb/node-bindings',
  },
  resolve: { extensions: ['.ts', '.js'] },
  module: {
    // ES modules for webpack: with tsc's CommonJS output every `await import(...)` becomes a plain require() and
    // mysql2 and the AWS SDK land in extension.js (1.36 MB); kept as import(), they load on first use as chunks.
    rules: [{ test: /\.ts$/, exclude: /node_modules/, use: [{ loader: 'ts-loader', options: { configFile: 'tsconfig.json', transpileOnly: true, compilerOptions: { module: 'es2022' } } }] }],
  },
  // mysql2 and the AWS SDK reference optional modules they guard with try/catch.
  ignoreWarnings: [/Can't resolve '(cardinal|aws-crt|@aws-sdk\/signature-v4-crt)'/, /Critical dependency/],
  devtool: 'nosources-source-map',
  infrastructureLogging: { level: 'log' },
  performance: { hints: false },
  optimization,
  plugins: [notices],
};

/** @type {import('webpack').Configuration} */
const webviewConfig = {
  name: 'webview',
  target: 'web',
  entry: {
    dashboard: './media/dashboard/main.ts',
    grid: './media/grid/main.ts',
    lineage: './media/lineage/main.ts',
  },
  output: {
    path: path.resolve(__dirname, 'dist', 'webview'),
    filename: '[name].js',
    clean: true,
  },
  resolve: { extensions: ['.ts', '.js'] },
  module: {
    rules: [{ test: /\.ts$/, exclude: /node_modules/, use: [{ loader: 'ts-loader', options: { configFile: path.resolve(__dirname, 'media/tsconfig.json'), transpileOnly: true } }] }],
  },
  devtool: 'nosources-source-map',
  performance: { hints: false },
  optimization,
  plugins: [notices],
};

/**
 * Notebook renderers (contributes.notebookRenderer): VS Code loads each entrypoint as an ES module in the notebook's
 * output webview, so they are bundled as modules (chart.js inside, no CDN).
 */
/** @type {import('webpack').Configuration} */
const rendererConfig = {
  ...webviewConfig,
  name: 'renderer',
  entry: {
    table: './media/notebook/table.ts',
    chart: './media/notebook/chart.ts',
  },
  experiments: { outputModule: true },
  output: {
    path: path.resolve(__dirname, 'dist', 'renderer'),
    filename: '[name].js',
    library: { type: 'module' },
    clean: true,
  },
};

module.exports = [nodeConfig, webviewConfig, rendererConfig];
