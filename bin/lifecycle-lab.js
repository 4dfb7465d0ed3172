#!/usr/bin/env node
// The CLI is bundled by webpack into dist/cli.js; build first with `npm run build`.
// A closed pipe (`lifecycle-lab source tables | head`) ends the command quietly, as other Unix tools do.
process.stdout.on('error', (err) => { if (err.code === 'EPIPE') process.exit(0); throw err; });
require('../dist/cli.js').main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err) => { console.error(err && err.message ? err.message : err); process.exitCode = 1; },
);
