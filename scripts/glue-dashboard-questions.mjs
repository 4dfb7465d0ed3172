#!/usr/bin/env node
// Writes glue/dashboard_questions.json: the dashboard's recorded questions (src/core/dashboard/recorded.ts) in the SQL
// the dashboard runs, for the Glue job to record the same answers in its manifest. Run after changing one of those
// questions, once tsc has compiled to out/: `npx tsc -p . && node scripts/glue-dashboard-questions.mjs`
// (test/unit/glueDashboardQuestions.test.ts fails until it is run).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const { recordedQuestionsText } = require(path.join(root, 'out', 'src', 'core', 'dashboard', 'recorded.js'));
const { RECORD_MIN_FACT_ROWS } = require(path.join(root, 'out', 'src', 'core', 'lake', 'writeSteps.js'));
const target = path.join(root, 'glue', 'dashboard_questions.json');
fs.writeFileSync(target, recordedQuestionsText(RECORD_MIN_FACT_ROWS));
console.log(`wrote ${path.relative(root, target)}`);
