import * as assert from 'node:assert/strict';
import { checkLab, formatCheckReport, type CheckProbes, type CheckReport } from '../../src/core/check/checks';
import { expectedSourceCounts } from '../../src/core/check/probes';
import { LabError } from '../../src/core/errors';
import { DUMP_COUNTS } from '../../src/core/lab/db';
import type { LakeManifest } from '../../src/core/run/manifest';
import type { RunRecord } from '../../src/core/run/runRecord';

function manifest(overrides: Partial<LakeManifest> = {}): LakeManifest {
  return {
    runId: 'run-1', startedAt: '2026-11-30T10:00:00Z', finishedAt: '2026-11-30T10:00:05Z', model: 'star-v1',
    engine: { name: 'duckdb', version: '1.5' },
    source: { host: '127.0.0.1', port: 3307, database: 'classicmodels', counts: { ...DUMP_COUNTS }, orderAmountTotal: '9604190.61' },
    tables: {
      dim_customers: { rows: 122, files: 1, bytes: 1 }, dim_products: { rows: 110, files: 1, bytes: 1 },
      dim_locations: { rows: 95, files: 1, bytes: 1 }, fact_orders: { rows: 2996, files: 1, bytes: 1 },
    },
    checks: [
      { name: 'fact_rows_match_source', ok: true, expected: '2996', actual: '2996', message: 'fact_orders rows = source orderdetails rows: 2996' },
      { name: 'order_amount_matches_source', ok: true, expected: '9604190.61', actual: '9604190.61', message: 'total: 9604190.61' },
    ],
    ok: true,
    ...overrides,
  };
}

const LAKE_ROWS: Record<string, number> = { dim_customers: 122, dim_products: 110, dim_locations: 95, fact_orders: 2996 };

/** A healthy local lab; each test breaks one thing. */
function healthy(): CheckProbes {
  return {
    label: 'local',
    sourceMissing: { label: 'Start Local Lab', command: 'lifecycleLab.startLocalLab' },
    sourceCounts: async () => ({ where: 'classicmodels on the local lab', counts: { ...DUMP_COUNTS }, expected: DUMP_COUNTS }),
    manifest: async () => manifest(),
    lastRun: async () => ({ runId: 'run-1', status: 'ok', finishedAt: '2026-11-30T10:00:05Z', message: 'ok' }) as RunRecord,
    lakeRows: async (table) => LAKE_ROWS[table],
    dashboardAnswers: async () => [{ question: 'Key figures', rows: 1 }, { question: 'Top products', rows: 5 }],
  };
}

function byId(report: CheckReport, id: string) {
  const found = report.items.find((i) => i.id === id);
  assert.ok(found, `item ${id} in ${report.items.map((i) => i.id).join(', ')}`);
  return found;
}

suite('Check Lab (core logic)', () => {
  test('a healthy local lab passes every check, in order, with what was found', async () => {
    const report = await checkLab(healthy());
    assert.equal(report.ok, true);
    assert.deepEqual(report.items.map((i) => [i.id, i.status]), [['source', 'pass'], ['pipeline', 'pass'], ['lake', 'pass'], ['dashboard', 'pass']]);
    assert.match(byId(report, 'pipeline').detail, /2,996 fact rows = 2,996 order lines; total sales 9604190\.61 = source 9604190\.61, to the cent/);
    assert.match(byId(report, 'lake').detail, /fact_orders 2,996/);
    assert.match(formatCheckReport(report).at(-1)!, /all 4 checks passed \(local mode\)/);
  });

  test('warning data tests of the published run are named in the pipeline item, with their failing rows; it still passes', async () => {
    const probes = healthy();
    probes.manifest = async () => manifest({
      tests: [
        { id: 'unique_dim_customers_customerNumber', kind: 'unique', model: 'dim_customers', column: 'customerNumber', severity: 'error', status: 'pass', failingRows: 0, sample: [] },
        { id: 'accepted_values_fact_orders_status', kind: 'accepted_values', model: 'fact_orders', column: 'status', severity: 'warn', status: 'warn',
          failingRows: 4, sample: [{ orderNumber: 10100, status: 'Lost in transit' }] },
      ],
    });
    const item = byId(await checkLab(probes), 'pipeline');
    assert.equal(item.status, 'pass');
    assert.match(item.detail, /Data tests: 1 passed, 1 warned: accepted_values_fact_orders_status \(4 failing rows in fact_orders\.status \(severity warn\): \(orderNumber=10100, status=Lost in transit\), \.\.\.\)\./);
  });

  test('pipeline never run: pipeline and lake fail with Run Pipeline, the dashboard is skipped, the source still passes', async () => {
    const probes = healthy();
    probes.manifest = async () => undefined;
    probes.lastRun = async () => undefined;
    probes.lakeRows = async () => { throw new LabError('lakeMissing', 'The lake at /x has no tables yet.', { nextStep: { label: 'Run Pipeline', command: 'lifecycleLab.pipeline.run' } }); };
    const report = await checkLab(probes);
    assert.equal(report.ok, false);
    assert.equal(byId(report, 'source').status, 'pass');
    assert.equal(byId(report, 'pipeline').status, 'fail');
    assert.match(byId(report, 'pipeline').detail, /never published a lake/);
    assert.equal(byId(report, 'pipeline').fix?.command, 'lifecycleLab.pipeline.run');
    assert.equal(byId(report, 'pipeline').fix?.cli, 'lifecycle-lab pipeline run');
    assert.equal(byId(report, 'lake').status, 'fail');
    assert.equal(byId(report, 'dashboard').status, 'skip');
    assert.ok(formatCheckReport(report).some((l) => /fix: Run Pipeline \(lifecycle-lab pipeline run\)/.test(l)));
  });

  test('a source with a wrong count or a missing table fails naming each; an unreachable one gives its error and fix', async () => {
    const probes = healthy();
    probes.sourceCounts = async () => ({ where: 'db', counts: { ...DUMP_COUNTS, orderdetails: 2995, payments: undefined }, expected: DUMP_COUNTS });
    const report = await checkLab(probes);
    assert.match(byId(report, 'source').detail, /payments is missing; orderdetails has 2,995 rows, expected 2,996/);
    probes.sourceCounts = async () => { throw new LabError('labNotRunning', 'The local lab is not running.', { nextStep: { label: 'Start Local Lab', command: 'lifecycleLab.startLocalLab' } }); };
    const down = byId(await checkLab(probes), 'source');
    assert.equal(down.status, 'fail');
    assert.equal(down.detail, 'The local lab is not running.');
    assert.equal(down.fix?.command, 'lifecycleLab.startLocalLab');
  });

  test('reconciliation: facts that are not order lines, a failed check, or a newer failed run fail the pipeline item', async () => {
    const probes = healthy();
    probes.manifest = async () => manifest({ tables: { ...manifest().tables, fact_orders: { rows: 3688, files: 1, bytes: 1 } } });
    assert.match(byId(await checkLab(probes), 'pipeline').detail, /fact_orders has 3688 rows for 2996 source order lines/);
    probes.manifest = async () => manifest({ ok: false, checks: [{ ...manifest().checks[1], ok: false, actual: '9604190.60', message: 'total: expected 9604190.61, got 9604190.60' }] });
    assert.match(byId(await checkLab(probes), 'pipeline').detail, /failed reconciliation; total: expected 9604190\.61, got 9604190\.60/);
    probes.manifest = async () => manifest();
    probes.lastRun = async () => ({ runId: 'run-2', status: 'failed', finishedAt: '2026-11-30T11:00:00Z', message: 'Lost the source' }) as RunRecord;
    const newer = byId(await checkLab(probes), 'pipeline');
    assert.equal(newer.status, 'fail');
    assert.match(newer.detail, /last run failed \(Lost the source\); the lake still holds run run-1/);
  });

  test('a lake table whose rows differ from its run, and a dashboard question with no rows, fail', async () => {
    const probes = healthy();
    probes.lakeRows = async (t) => (t === 'dim_products' ? 100 : LAKE_ROWS[t]);
    assert.match(byId(await checkLab(probes), 'lake').detail, /dim_products has 100 rows, its run recorded 110/);
    probes.lakeRows = async (t) => LAKE_ROWS[t];
    probes.dashboardAnswers = async () => [{ question: 'Key figures', rows: 1 }, { question: 'Top products', rows: 0 }];
    assert.match(byId(await checkLab(probes), 'dashboard').detail, /No rows for Top products/);
  });

  test('AWS mode adds Terraform outputs, the Glue job\'s last run and the workgroup; unset ones are skipped, not failed', async () => {
    const probes: CheckProbes = { ...healthy(), label: 'AWS', sourceMissing: { label: 'Discover RDS Instance', command: 'lifecycleLab.source.discoverRds' } };
    probes.aws = {
      outputs: () => [
        { output: 'job_name', setting: 'lifecycleLab.aws.glueJobName', value: 'de-c1w2-etl-job' },
        { output: 'catalog_database', setting: 'lifecycleLab.aws.catalogDatabase', value: 'de_c1w2_lake' },
        { output: 'athena_workgroup', setting: 'lifecycleLab.aws.athenaWorkgroup', value: 'wg' },
      ],
      lastGlueRun: async () => ({ id: 'jr_1', state: 'SUCCEEDED', startedOn: '2026-11-30T10:00:00.000Z' }),
      workgroupState: async () => 'ENABLED',
    };
    const ok = await checkLab(probes);
    assert.equal(ok.ok, true);
    assert.deepEqual(ok.items.slice(4).map((i) => [i.id, i.status]), [['terraform', 'pass'], ['glue', 'pass'], ['athena', 'pass']]);

    probes.aws.lastGlueRun = async () => ({ id: 'jr_2', state: 'FAILED', error: 'OutOfMemory' });
    probes.aws.workgroupState = async () => { throw new LabError('awsCredentials', 'No AWS credentials were found.'); };
    const failing = await checkLab(probes);
    assert.match(byId(failing, 'glue').detail, /jr_2 is FAILED: OutOfMemory/);
    assert.equal(byId(failing, 'athena').detail, 'No AWS credentials were found.');

    const unset = probes.aws.outputs().map((o) => ({ ...o, value: o.output === 'catalog_database' ? o.value : '' }));
    probes.aws.outputs = () => unset;
    const partial = await checkLab(probes);
    assert.equal(byId(partial, 'terraform').status, 'fail');
    assert.match(byId(partial, 'terraform').detail, /lifecycleLab.aws.glueJobName \(output job_name\)/);
    assert.equal(byId(partial, 'glue').status, 'skip');
    assert.equal(byId(partial, 'athena').status, 'skip');
  });

  test('expected source counts: the dump\'s, or N x 2,996 order lines for a generated lab', () => {
    assert.deepEqual(expectedSourceCounts('dump'), DUMP_COUNTS);
    assert.deepEqual(expectedSourceCounts(undefined), DUMP_COUNTS);
    assert.deepEqual(expectedSourceCounts('generated x10'), { orderdetails: 29960 });
  });
});
