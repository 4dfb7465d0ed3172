import * as assert from 'node:assert/strict';
import {
  AthenaClient, GetQueryExecutionCommand, GetQueryResultsCommand, StartQueryExecutionCommand, StopQueryExecutionCommand,
  type GetQueryExecutionCommandOutput, type GetQueryResultsCommandOutput,
} from '@aws-sdk/client-athena';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import { AthenaEngine, DEFAULT_POLL, scanCostUsd, withSqlCase } from '../../src/core/aws/athena';
import { nextBackoff } from '../../src/core/aws/backoff';
import { athenaColumn, athenaParameter, athenaValue } from '../../src/core/aws/athenaValues';
import { resolveLabConfig, type AthenaSettings, type AwsSettings } from '../../src/core/config';
import { LabError } from '../../src/core/errors';
import { parseHostMessage } from '../../src/webview/protocol';
import { FakeClock } from '../fakeClock';

const AWS: AwsSettings = resolveLabConfig({ 'aws.endpoint': 'http://127.0.0.1:1' }, '/').aws;
const ATHENA: AthenaSettings = { workgroup: 'lab-wg', database: 'lab_db', outputLocation: '', costPerTbUsd: 5 };

function execution(state: string, extra: Record<string, unknown> = {}): GetQueryExecutionCommandOutput {
  return {
    $metadata: {},
    QueryExecution: {
      QueryExecutionId: 'q1', Status: { State: state as 'RUNNING', ...extra },
      Statistics: { EngineExecutionTimeInMillis: 420, DataScannedInBytes: 2 * 1024 ** 3, TotalExecutionTimeInMillis: 500 },
    },
  };
}

function page(rows: Array<Array<string | undefined>>, nextToken?: string): GetQueryResultsCommandOutput {
  return {
    $metadata: {},
    NextToken: nextToken,
    ResultSet: {
      ResultSetMetadata: { ColumnInfo: [
        { Name: 'country', Label: 'country', Type: 'varchar' },
        // Athena reports names in lower case.
        { Name: 'totalsales', Label: 'totalsales', Type: 'decimal', Precision: 38, Scale: 2 },
        { Name: 'orders', Label: 'orders', Type: 'bigint' },
      ] },
      Rows: rows.map((r) => ({ Data: r.map((v) => (v === undefined ? {} : { VarCharValue: v })) })),
    },
  };
}

/** Advances the fake clock in small steps until `work` settles (the engine's polls sleep on the clock). */
async function settle<T>(clock: FakeClock, work: Promise<T>, stepMs = 100, maxMs = 120_000): Promise<T> {
  let done = false;
  const watched = work.finally(() => { done = true; });
  watched.catch(() => undefined);
  for (let t = 0; !done && t < maxMs; t += stepMs) await clock.advance(stepMs);
  return watched;
}

async function expectError(work: Promise<unknown>, code: string): Promise<LabError> {
  try {
    await work;
  } catch (err) {
    assert.ok(err instanceof LabError, `a LabError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    return err;
  }
  assert.fail(`expected a LabError ${code}`);
}

suite('Athena engine (SDK mocked)', () => {
  // Mocked only while this suite runs: mockClient stubs every AthenaClient in the process.
  let athena: AwsClientStub<AthenaClient>;
  let clock: FakeClock;
  let engine: AthenaEngine;

  suiteSetup(() => { athena = mockClient(AthenaClient); });

  setup(() => {
    athena.reset();
    clock = new FakeClock();
    engine = new AthenaEngine(AWS, ATHENA, { clock });
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q1' });
  });

  teardown(async () => {
    await engine.close();
  });

  suiteTeardown(() => athena.restore());

  test('starts in the workgroup and database with :name parameters as execution parameters, never in the SQL', async () => {
    athena.on(GetQueryExecutionCommand).resolves(execution('SUCCEEDED'));
    athena.on(GetQueryResultsCommand).resolves(page([['country', 'totalsales', 'orders'], ["O'Hare", '1.50', '3']]));
    const result = await settle(clock, engine.query("select country, sum(v) as totalSales, orders from t where c = :country and n < :n and d = :country and x = '::y' group by 1, 3", { country: "O'Hare", n: 10 }));
    const start = athena.commandCalls(StartQueryExecutionCommand)[0].args[0].input;
    assert.equal(start.QueryString, "select country, sum(v) as totalSales, orders from t where c = ? and n < ? and d = ? and x = '::y' group by 1, 3");
    assert.deepEqual(start.ExecutionParameters, ["'O''Hare'", '10', "'O''Hare'"]);
    assert.equal(start.WorkGroup, 'lab-wg');
    assert.deepEqual(start.QueryExecutionContext, { Database: 'lab_db', Catalog: 'AwsDataCatalog' });
    assert.equal(start.ResultConfiguration, undefined, 'empty output location: the workgroup decides');
    assert.deepEqual(result.rows, [["O'Hare", 1.5, 3]], 'header row dropped, values typed');
    assert.deepEqual(result.columns, [{ name: 'country', type: 'VARCHAR' }, { name: 'totalSales', type: 'DECIMAL(38,2)' }, { name: 'orders', type: 'BIGINT' }]);
    assert.equal(result.stats.elapsedMs, 420);
    assert.equal(result.stats.bytesScanned, 2 * 1024 ** 3);
    assert.ok(Math.abs(result.stats.costUsd! - (2 / 1024) * 5) < 1e-12, `cost ${result.stats.costUsd}`);
  });

  test('no parameters: no ExecutionParameters; an output location setting is passed on', async () => {
    engine = new AthenaEngine(AWS, { ...ATHENA, outputLocation: 's3://results/x/' }, { clock });
    athena.on(GetQueryExecutionCommand).resolves(execution('SUCCEEDED'));
    athena.on(GetQueryResultsCommand).resolves(page([['country', 'totalsales', 'orders']]));
    const result = await settle(clock, engine.query('select 1'));
    const start = athena.commandCalls(StartQueryExecutionCommand)[0].args[0].input;
    assert.equal(start.ExecutionParameters, undefined);
    assert.deepEqual(start.ResultConfiguration, { OutputLocation: 's3://results/x/' });
    assert.deepEqual(result.rows, []);
  });

  test('every page through the SDK paginator (NextToken), nulls kept', async () => {
    athena.on(GetQueryExecutionCommand).resolves(execution('SUCCEEDED'));
    const tokens: Array<string | undefined> = [];
    athena.on(GetQueryResultsCommand).callsFake((input: { NextToken?: string; QueryExecutionId?: string; MaxResults?: number }) => {
      // The paginator reuses one input object: record what each call asked for as it comes.
      tokens.push(input.NextToken);
      assert.equal(input.QueryExecutionId, 'q1');
      assert.equal(input.MaxResults, 1000);
      if (!input.NextToken) return page([['country', 'totalsales', 'orders'], ['USA', '10.00', '1']], 't2');
      if (input.NextToken === 't2') return page([['France', undefined, '2']], 't3');
      return page([['Spain', '0.25', undefined]]);
    });
    const result = await settle(clock, engine.query('select 1'));
    assert.deepEqual(result.rows, [['USA', 10, 1], ['France', null, 2], ['Spain', 0.25, null]]);
    assert.deepEqual(tokens, [undefined, 't2', 't3']);
  });

  test('stream: page by page as GetQueryResults returns them; a limit stops the paging once it knows there are more', async () => {
    athena.on(GetQueryExecutionCommand).resolves(execution('SUCCEEDED'));
    const tokens: Array<string | undefined> = [];
    athena.on(GetQueryResultsCommand).callsFake((input: { NextToken?: string }) => {
      tokens.push(input.NextToken);
      if (!input.NextToken) return page([['country', 'totalsales', 'orders'], ['USA', '10.00', '1'], ['Italy', '2.00', '4']], 't2');
      if (input.NextToken === 't2') return page([['France', undefined, '2'], ['Japan', '3.00', '5']], 't3');
      return page([['Spain', '0.25', undefined]], 't4');
    });
    const batches: unknown[][][] = [];
    let columns: string[] = [];
    const summary = await settle(clock, engine.stream('select country, totalSales, orders from t', undefined, {
      limit: 3, countAll: true, onColumns: (c) => { columns = c.map((x) => x.name); }, onRows: (rows) => { batches.push(rows); },
    }));
    assert.deepEqual(columns, ['country', 'totalSales', 'orders']);
    assert.deepEqual(batches, [[['USA', 10, 1], ['Italy', 2, 4]], [['France', null, 2]]], 'one batch per page, cut at the limit');
    assert.deepEqual({ rowsRead: summary.rowsRead, more: summary.more, totalRows: summary.totalRows }, { rowsRead: 3, more: true, totalRows: undefined },
      'Athena does not page through the rest to count it');
    assert.deepEqual(tokens, [undefined, 't2'], 'no page fetched past the one that showed there are more');
    assert.equal(summary.stats.bytesScanned, 2 * 1024 ** 3);
  });

  test('GetQueryExecution is polled adaptively on the clock: from 200 ms, growing, capped at 2 s', async () => {
    const times: number[] = [];
    const started = clock.now();
    let polls = 0;
    athena.on(GetQueryExecutionCommand).callsFake(() => {
      times.push(clock.now() - started);
      return execution(++polls < 10 ? (polls < 2 ? 'QUEUED' : 'RUNNING') : 'SUCCEEDED');
    });
    athena.on(GetQueryResultsCommand).resolves(page([]));
    await settle(clock, engine.query('select 1'), 1);
    const intervals = times.map((t, i) => t - (i ? times[i - 1] : 0));
    assert.deepEqual(intervals, [200, 300, 450, 675, 1013, 1520, 2000, 2000, 2000, 2000]);
    let previous: number | undefined;
    assert.deepEqual(intervals, intervals.map(() => (previous = nextBackoff(DEFAULT_POLL, previous, false))), 'the one Backoff of the AWS engines');
    assert.equal(DEFAULT_POLL.firstMs, 200);
    assert.equal(clock.pending, 0, 'no timer left behind');
  });

  test('cancel: the abort stops the execution (StopQueryExecution) and rejects with cancelled, no more polls', async () => {
    athena.on(GetQueryExecutionCommand).resolves(execution('RUNNING'));
    athena.on(StopQueryExecutionCommand).resolves({});
    const controller = new AbortController();
    const work = engine.query('select 1', {}, controller.signal);
    work.catch(() => undefined);
    for (let i = 0; i < 20; i++) await clock.advance(100);
    const pollsBefore = athena.commandCalls(GetQueryExecutionCommand).length;
    assert.ok(pollsBefore >= 3, `polled ${pollsBefore} times`);
    controller.abort();
    await expectError(work, 'cancelled');
    assert.deepEqual(athena.commandCalls(StopQueryExecutionCommand).map((c) => c.args[0].input), [{ QueryExecutionId: 'q1' }]);
    await clock.advance(10_000);
    assert.equal(athena.commandCalls(GetQueryExecutionCommand).length, pollsBefore);
    assert.equal(clock.pending, 0);
  });

  test('an already aborted signal starts nothing', async () => {
    const controller = new AbortController();
    controller.abort();
    await expectError(engine.query('select 1', {}, controller.signal), 'cancelled');
    assert.equal(athena.commandCalls(StartQueryExecutionCommand).length, 0);
  });

  test('FAILED: queryFailed with Athena\'s message and the execution id; a missing table: lakeMissing -> Run Pipeline', async () => {
    athena.on(GetQueryExecutionCommand).resolves(execution('FAILED', {
      StateChangeReason: 'line 1:8: Column \'x\' cannot be resolved',
      AthenaError: { ErrorCategory: 2, ErrorType: 1006, ErrorMessage: "COLUMN_NOT_FOUND: line 1:8: Column 'x' cannot be resolved" },
    }));
    const failed = await expectError(settle(clock, engine.query('select x from fact_orders')), 'queryFailed');
    assert.match(failed.message, /COLUMN_NOT_FOUND.*q1/);
    assert.equal(failed.nextStep?.command, 'lifecycleLab.showLog');

    athena.on(GetQueryExecutionCommand).resolves(execution('FAILED', {
      AthenaError: { ErrorCategory: 2, ErrorType: 1301, ErrorMessage: "TABLE_NOT_FOUND: line 1:15: Table 'awsdatacatalog.lab_db.fact_orders' does not exist" },
    }));
    const missing = await expectError(settle(clock, engine.query('select 1 from fact_orders')), 'lakeMissing');
    assert.match(missing.message, /lab_db/);
    assert.equal(missing.nextStep?.command, 'lifecycleLab.pipeline.run');
    assert.equal(athena.commandCalls(GetQueryResultsCommand).length, 0);
  });

  test('the workgroup\'s bytes-scanned cutoff: names the limit and how to raise it', async () => {
    athena.on(GetQueryExecutionCommand).resolves(execution('CANCELLED', { StateChangeReason: 'Query cancelled! : Bytes scanned limit was exceeded' }));
    const err = await expectError(settle(clock, engine.query('select 1')), 'queryFailed');
    assert.match(err.message, /per-query limit on bytes scanned/);
    assert.match(err.message, /athena_bytes_scanned_cutoff/);
    assert.equal(err.nextStep?.setting, 'lifecycleLab.aws.athenaWorkgroup');
  });

  test('cancelled by someone else: says so', async () => {
    athena.on(GetQueryExecutionCommand).resolves(execution('CANCELLED', { StateChangeReason: 'Query was cancelled by user' }));
    const err = await expectError(settle(clock, engine.query('select 1')), 'queryFailed');
    assert.match(err.message, /cancelled outside Lifecycle Lab/);
  });

  test('throttling left after the SDK\'s retries: awsThrottled', async () => {
    athena.on(GetQueryExecutionCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    const err = await expectError(settle(clock, engine.query('select 1')), 'awsThrottled');
    assert.match(err.message, /GetQueryExecution: AWS is throttling these requests/, 'the one mapper every AWS call shares');
  });

  test('access denied: awsCredentials naming what the credentials need', async () => {
    athena.on(StartQueryExecutionCommand).rejects(Object.assign(new Error('User: arn:aws:iam::1:user/x is not authorized to perform: athena:StartQueryExecution'), { name: 'AccessDeniedException' }));
    const err = await expectError(engine.query('select 1'), 'awsCredentials');
    assert.match(err.message, /StartQueryExecution: access denied .*workgroup lab-wg.*lab_db/);
    assert.equal(err.nextStep?.setting, 'lifecycleLab.aws.profile');
  });

  test('missing credentials: awsCredentials with sign-in as the next step', async () => {
    athena.on(StartQueryExecutionCommand).rejects(Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }));
    const err = await expectError(engine.query('select 1'), 'awsCredentials');
    assert.match(err.message, /no valid AWS credentials/);
  });

  test('an unknown workgroup or no output location: config naming the setting', async () => {
    athena.on(StartQueryExecutionCommand).rejects(Object.assign(new Error('WorkGroup lab-wg is not found.'), { name: 'InvalidRequestException' }));
    assert.equal((await expectError(engine.query('select 1'), 'config')).nextStep?.setting, 'lifecycleLab.aws.athenaWorkgroup');
    athena.on(StartQueryExecutionCommand).rejects(Object.assign(new Error('No output location provided. An output location is required either through the Workgroup result configuration setting or as an API input.'), { name: 'InvalidRequestException' }));
    assert.equal((await expectError(engine.query('select 1'), 'config')).nextStep?.setting, 'lifecycleLab.aws.athenaOutputLocation');
  });
});

suite('Athena values and parameters', () => {
  test('values by column type, like the local engine\'s', () => {
    const cases: Array<[string | undefined, string, unknown]> = [
      ['42', 'bigint', 42], ['7', 'integer', 7], ['12.50', 'decimal', 12.5], ['1.5E3', 'double', 1500], ['NaN', 'double', 'NaN'],
      ['true', 'boolean', true], ['false', 'boolean', false], ['2004-03-01', 'date', '2004-03-01'], ['', 'varchar', ''],
      [undefined, 'varchar', null], [undefined, 'bigint', null], ['x', 'array(varchar)', 'x'],
    ];
    for (const [text, type, expected] of cases) assert.deepEqual(athenaValue(text, type), expected, `${text} as ${type}`);
    assert.deepEqual(athenaColumn({ Name: 'month', Type: 'date' }), { name: 'month', type: 'DATE' });
  });

  test('parameters as Athena literals: text quoted with quotes doubled, numbers as they are', () => {
    assert.equal(athenaParameter("it's"), "'it''s'");
    assert.equal(athenaParameter("'); drop table x; --"), "'''); drop table x; --'");
    assert.equal(athenaParameter(''), "''");
    assert.equal(athenaParameter(5), '5');
    assert.equal(athenaParameter(null), 'NULL');
    assert.throws(() => athenaParameter(Infinity), RangeError);
    assert.throws(() => athenaParameter('a\0b'), /NUL/, 'a NUL would end the literal early on some readers');
  });

  test('column names: Athena\'s lower case given back the SQL\'s spelling', () => {
    const sql = 'select p.productLine, sum(x) as totalSales, count(*) as orders, 1 as Mixed, 2 as MIXED from t';
    const columns = ['productline', 'totalsales', 'orders', 'mixed', 'other'].map((name) => ({ name, type: 'VARCHAR' }));
    assert.deepEqual(withSqlCase(columns, sql).map((c) => c.name), ['productLine', 'totalSales', 'orders', 'mixed', 'other']);
  });

  test('cost: USD per TB scanned, at least 10 MB billed', () => {
    assert.equal(scanCostUsd(1024 ** 4, 5), 5);
    assert.equal(scanCostUsd(0, 5), 0);
    assert.equal(scanCostUsd(1, 5), scanCostUsd(10 * 1024 ** 2, 5));
  });

});

suite('Athena settings', () => {
  test('defaults match the Terraform module; bad values name the setting', () => {
    const config = resolveLabConfig({}, '/');
    assert.deepEqual(config.athena, { workgroup: 'de-c1w2-workgroup', database: 'de_c1w2_lake', outputLocation: '', costPerTbUsd: 5 });
    assert.equal(resolveLabConfig({ 'aws.athenaCostPerTbUsd': '6.25' }, '/').athena.costPerTbUsd, 6.25);
    for (const [key, value] of [['aws.athenaCostPerTbUsd', -1], ['aws.athenaCostPerTbUsd', 'cheap'], ['aws.athenaOutputLocation', '/tmp/results']] as const) {
      assert.throws(() => resolveLabConfig({ [key]: value }, '/'), (e: unknown) => e instanceof LabError && e.nextStep?.setting === `lifecycleLab.${key}`, `${key}=${value}`);
    }
  });
});

suite('Athena stats reach the dashboard page', () => {
  test('bytes scanned and cost pass the host->page protocol', () => {
    const result = { id: 'kpis' as const, title: 'Key figures', columns: [{ name: 'orders', type: 'BIGINT' }], rows: [[326]], sql: 'select 1',
      elapsedMs: 800, bytesScanned: 3 * 1024 ** 2, costUsd: 0.00005 };
    assert.deepEqual(parseHostMessage({ type: 'result', requestId: 1, result }), { type: 'result', requestId: 1, result });
  });
});
