#!/usr/bin/env node
// The CLI is bundled by webpack into dist/cli.js; build first with `npm run build`.
require('../dist/cli.js').main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err) => { console.error(err && err.message ? err.message : err); process.exitCode = 1; },
);
