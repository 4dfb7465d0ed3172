import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FILTER_OPTION_QUERIES, RECORDED_QUERIES, recordedQuestions, recordedQuestionsText } from '../../src/core/dashboard/recorded';
import { QUERIES } from '../../src/core/dashboard/queries';
import { RECORD_MIN_FACT_ROWS } from '../../src/core/lake/writeSteps';

const QUESTIONS_FILE = path.resolve(__dirname, '../../../glue/dashboard_questions.json');

/**
 * The Glue job records the dashboard's answers from glue/dashboard_questions.json (glue/job_dashboard.py): the file
 * must be the dashboard's own questions as they are now, or the job would record answers to other questions.
 */
suite('glue/dashboard_questions.json: the dashboard\'s recorded questions, for the Glue job', () => {
  test('the file is what src/core/dashboard/recorded.ts makes of them now', () => {
    assert.equal(fs.readFileSync(QUESTIONS_FILE, 'utf8'), recordedQuestionsText(RECORD_MIN_FACT_ROWS),
      'glue/dashboard_questions.json is stale: run `npx tsc -p . && node scripts/glue-dashboard-questions.mjs`');
  });

  test('it holds every recorded question in the SQL the dashboard runs on a star-v1 lake, and the local threshold', () => {
    const questions = recordedQuestions(RECORD_MIN_FACT_ROWS);
    assert.deepEqual(Object.keys(questions.answers), [...RECORDED_QUERIES]);
    for (const id of RECORDED_QUERIES) assert.equal(questions.answers[id], QUERIES[id].sql('star-v1'), id);
    assert.deepEqual(questions.filterOptions, FILTER_OPTION_QUERIES.map((q) => q.sql('star-v1')));
    assert.equal(questions.topProducts.sql, QUERIES.topProducts.sql('star-v1'));
    assert.equal(questions.recordMinFactRows, RECORD_MIN_FACT_ROWS);
  });
});
