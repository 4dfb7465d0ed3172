import type { AthenaSettings, AwsSettings } from '../config';
import { systemClock, type Clock } from '../clock';
import { CancelledError, LabError, type NextStep } from '../errors';
import type { QueryColumn, QueryEngine, QueryParams, QueryResult, QueryStreamOptions, QueryStreamSummary, QueryValue } from '../query/engine';
import { compileParams } from '../query/params';
import { isBlankSql, noStatementError } from '../query/sqlText';
import { AwsClients, type AthenaSdk } from './awsClients';
import { Backoff, type BackoffPolicy } from './backoff';
import { awsErrorToLabError } from './clients';
import { athenaColumn, athenaParameter, athenaValue } from './athenaValues';

type AthenaModule = AthenaSdk['sdk'];
type AthenaClient = AthenaSdk['client'];
type QueryExecution = NonNullable<import('@aws-sdk/client-athena').GetQueryExecutionCommandOutput['QueryExecution']>;

/** Athena's QueryExecutionState values; the last three are final. */
export const QUERY_STATES = ['QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED'] as const;
export type QueryState = (typeof QUERY_STATES)[number];
export const TERMINAL_STATES: ReadonlySet<string> = new Set<QueryState>(['SUCCEEDED', 'FAILED', 'CANCELLED']);

/**
 * How GetQueryExecution is polled (the engines' one Backoff): short queries (the dashboard's, over a few MB) finish
 * in about a second, so poll soon, then back off to 2 s.
 */
export const DEFAULT_POLL: BackoffPolicy = { firstMs: 200, growth: 1.5, maxMs: 2000 };

export interface AthenaEngineOptions {
  clock?: Clock;
  poll?: BackoffPolicy;
  /** The backend's AWS clients; absent, the engine makes its own and close() destroys them. */
  clients?: AwsClients;
  /** Rows per GetQueryResults page (Athena allows up to 1000). */
  pageSize?: number;
}

const BYTES_PER_TB = 1024 ** 4;
const SHOW_LOG: NextStep = { label: 'Show Log', command: 'lifecycleLab.showLog' };
const RUN_PIPELINE: NextStep = { label: 'Run Pipeline', command: 'lifecycleLab.pipeline.run' };

/** Estimated cost of scanning `bytes` at `usdPerTb` (USD per TB scanned; Athena bills at least 10 MB per query). */
export function scanCostUsd(bytes: number, usdPerTb: number): number {
  return (Math.max(bytes, bytes > 0 ? 10 * 1024 ** 2 : 0) / BYTES_PER_TB) * usdPerTb;
}

/**
 * Athena over the lake's Glue Data Catalog database: StartQueryExecution in the configured workgroup and database
 * with the `:name` parameters as execution parameters, GetQueryExecution polled on the clock (200 ms, growing to
 * 2 s), GetQueryResults through the SDK's paginator, values converted by the result set's column types.
 * An aborted signal stops the execution (StopQueryExecution). Throttled calls are retried by the SDK's own retry
 * strategy (adaptive mode); what still fails becomes a LabError with a next step.
 */
export class AthenaEngine implements QueryEngine {
  readonly kind = 'athena';
  readonly description: string;
  private readonly clients: AwsClients;
  private readonly ownsClients: boolean;
  private readonly clock: Clock;
  private readonly poll: BackoffPolicy;
  private readonly pageSize: number;

  constructor(private readonly aws: AwsSettings, private readonly athena: AthenaSettings, options: AthenaEngineOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.poll = options.poll ?? DEFAULT_POLL;
    this.pageSize = options.pageSize ?? 1000;
    this.ownsClients = !options.clients;
    this.clients = options.clients ?? new AwsClients(aws);
    this.description = `Athena over ${athena.database} (workgroup ${athena.workgroup}, ${aws.region})`;
  }

  async query(sql: string, params: QueryParams = {}, signal?: AbortSignal): Promise<QueryResult> {
    const rows: QueryValue[][] = [];
    const summary = await this.stream(sql, params, { signal, onRows: (batch) => { for (const row of batch) rows.push(row); } });
    return { columns: summary.columns, rows, stats: summary.stats };
  }

  /** Runs the query, then hands over GetQueryResults page by page; a limit stops the paging (see results()). */
  async stream(sql: string, params: QueryParams | undefined, options: QueryStreamOptions): Promise<QueryStreamSummary> {
    const { signal } = options;
    if (signal?.aborted) throw new CancelledError('Athena query');
    if (isBlankSql(sql)) throw noStatementError();
    const compiled = compileParams(sql, params ?? {}, 'positional');
    const { sdk, client } = await this.clients.athena();
    const started = await this.call('StartQueryExecution', () => client.send(new sdk.StartQueryExecutionCommand({
      QueryString: compiled.sql,
      QueryExecutionContext: { Database: this.athena.database, Catalog: 'AwsDataCatalog' },
      WorkGroup: this.athena.workgroup,
      ResultConfiguration: this.athena.outputLocation ? { OutputLocation: this.athena.outputLocation } : undefined,
      ExecutionParameters: compiled.values.length ? compiled.values.map(athenaParameter) : undefined,
    })));
    const id = started.QueryExecutionId;
    if (!id) throw new LabError('internal', 'StartQueryExecution returned no query execution id.');

    const execution = await this.waitFor(id, sdk, client, signal);
    const state = execution.Status?.State;
    if (state !== 'SUCCEEDED') throw this.executionError(id, execution);

    const read = await this.results(id, sdk, client, compiled.sql, options);
    const statistics = execution.Statistics;
    const bytesScanned = statistics?.DataScannedInBytes ?? 0;
    return {
      ...read,
      stats: {
        elapsedMs: statistics?.EngineExecutionTimeInMillis ?? statistics?.TotalExecutionTimeInMillis ?? 0,
        bytesScanned,
        costUsd: scanCostUsd(bytesScanned, this.athena.costPerTbUsd),
      },
    };
  }

  /** Destroys the clients the engine made itself (a backend's are the backend's to destroy). */
  async close(): Promise<void> {
    if (this.ownsClients) await this.clients.destroy();
  }

  /** Polls GetQueryExecution until the execution is final; on abort, stops it and throws CancelledError. */
  private async waitFor(id: string, sdk: AthenaModule, client: AthenaClient, signal?: AbortSignal): Promise<QueryExecution> {
    const backoff = new Backoff(this.poll, this.clock);
    for (;;) {
      try {
        // A query's wait only grows: QUEUED → RUNNING is no sign that it ends sooner.
        await backoff.wait(false, signal);
      } catch {
        await this.stop(id, sdk, client);
        throw new CancelledError('Athena query');
      }
      const out = await this.call('GetQueryExecution', () => client.send(new sdk.GetQueryExecutionCommand({ QueryExecutionId: id })));
      const execution = out.QueryExecution;
      if (execution?.Status?.State && TERMINAL_STATES.has(execution.Status.State)) return execution;
      if (signal?.aborted) {
        await this.stop(id, sdk, client);
        throw new CancelledError('Athena query');
      }
    }
  }

  private async stop(id: string, sdk: AthenaModule, client: AthenaClient): Promise<void> {
    // Best effort: the user asked to stop; a failed stop must not hide that the query was cancelled.
    await client.send(new sdk.StopQueryExecutionCommand({ QueryExecutionId: id })).catch(() => undefined);
  }

  /**
   * GetQueryResults through the SDK's paginator, each page handed over as it arrives. Past the limit one more page
   * is read only to learn whether there are more rows; the rest is never fetched (Athena cannot count it without
   * paging through it all, so countAll is not honoured here and the total stays unknown).
   */
  private async results(id: string, sdk: AthenaModule, client: AthenaClient, sql: string, options: QueryStreamOptions): Promise<Omit<QueryStreamSummary, 'stats'>> {
    const limit = options.limit ?? Number.POSITIVE_INFINITY;
    let columns: QueryColumn[] | undefined;
    let types: Array<string | undefined> = [];
    let rowsRead = 0;
    let more = false;
    let first = true;
    try {
      for await (const page of sdk.paginateGetQueryResults({ client, pageSize: this.pageSize }, { QueryExecutionId: id, MaxResults: this.pageSize })) {
        if (options.signal?.aborted) throw new CancelledError('Athena query');
        const info = page.ResultSet?.ResultSetMetadata?.ColumnInfo ?? [];
        if (!columns) {
          columns = withSqlCase(info.map(athenaColumn), sql);
          types = info.map((c) => c.Type);
          await options.onColumns?.(columns);
        }
        let data = page.ResultSet?.Rows ?? [];
        // A SELECT's first row holds the column labels, not data.
        if (first && data.length && isHeader(data[0].Data ?? [], info)) data = data.slice(1);
        first = false;
        if (data.length > limit - rowsRead) {
          more = true;
          data = data.slice(0, limit - rowsRead);
        }
        if (data.length) {
          rowsRead += data.length;
          await options.onRows(data.map((row) => (row.Data ?? []).map((d, i) => athenaValue(d.VarCharValue, types[i]))));
        }
        if (more) break;
      }
    } catch (err) {
      throw this.mapError(err, 'GetQueryResults');
    }
    if (!columns) await options.onColumns?.([]);
    return { columns: columns ?? [], rowsRead, totalRows: more ? undefined : rowsRead, more };
  }

  private async call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw this.mapError(err, what);
    }
  }

  /** Athena's own failures first (throttling, bad workgroup, database or output location), then the shared ones. */
  private mapError(err: unknown, what: string): LabError {
    if (err instanceof LabError) return err;
    const e = (err ?? {}) as { name?: string; message?: string };
    const name = e.name ?? '';
    const message = e.message ?? String(err);
    if (name === 'InvalidRequestException') {
      if (/output location|OutputLocation/i.test(message)) {
        return new LabError('config', `${what}: Athena has no place to write results (${message}). Set an s3:// output location or use a workgroup that has one.`, {
          nextStep: { label: 'Open Settings', command: 'lifecycleLab.openSettings', setting: 'lifecycleLab.aws.athenaOutputLocation' }, cause: err,
        });
      }
      if (/workgroup/i.test(message)) {
        return new LabError('config', `${what}: Athena refused workgroup '${this.athena.workgroup}' (${message}).`, {
          nextStep: { label: 'Open Settings', command: 'lifecycleLab.openSettings', setting: 'lifecycleLab.aws.athenaWorkgroup' }, cause: err,
        });
      }
    }
    if (name === 'AccessDeniedException' || name === 'AccessDenied') {
      return new LabError('awsCredentials', `${what}: access denied (${message}). The credentials need Athena (start, get, stop query executions in workgroup ${this.athena.workgroup}), Glue catalog read on ${this.athena.database}, and S3 read on the lake and the results location.`, {
        nextStep: { label: 'Open Settings', command: 'lifecycleLab.openSettings', setting: 'lifecycleLab.aws.profile' }, cause: err,
      });
    }
    return awsErrorToLabError(err, what, this.aws);
  }

  /** A FAILED execution, one Athena cancelled (bytes-scanned cutoff), or one someone else stopped. */
  private executionError(id: string, execution: QueryExecution): LabError {
    const state = execution.Status?.State ?? 'UNKNOWN';
    const reason = execution.Status?.AthenaError?.ErrorMessage ?? execution.Status?.StateChangeReason ?? 'no reason given';
    const detail = `${reason} (query execution ${id})`;
    if (/bytes scanned limit|scanned.*cutoff|BytesScannedCutoff/i.test(`${reason} ${execution.Status?.StateChangeReason ?? ''}`)) {
      return new LabError('queryFailed', `Athena stopped the query at workgroup ${this.athena.workgroup}'s per-query limit on bytes scanned: ${detail}. Narrow the query (a shorter date range, a filter), or raise the workgroup's limit (athena_bytes_scanned_cutoff in the Terraform module).`, {
        nextStep: { label: 'Open Settings', command: 'lifecycleLab.openSettings', setting: 'lifecycleLab.aws.athenaWorkgroup' },
      });
    }
    if (/Query exhausted resources|EXCEEDED_(LOCAL_)?MEMORY_LIMIT|EXCEEDED_CPU_LIMIT|EXCEEDED_SPILL_LIMIT/i.test(reason)) {
      return new LabError('queryFailed', `Athena ran out of resources for this query: ${detail}. Athena gives each query a fixed share of memory, so the same query fails again: narrow it (a shorter date range, a country or product line) and refresh.`, {
        nextStep: SHOW_LOG,
      });
    }
    if (state === 'CANCELLED') {
      return new LabError('queryFailed', `The Athena query was cancelled outside Lifecycle Lab: ${detail}. Refresh to run it again.`, { nextStep: SHOW_LOG });
    }
    if (/TABLE_NOT_FOUND|SCHEMA_NOT_FOUND|does not exist|not found/i.test(reason)) {
      return new LabError('lakeMissing', `Athena cannot find the lake's tables in ${this.athena.database}: ${detail}. Run the pipeline (the Glue job publishes them) or check the catalog database setting.`, {
        nextStep: RUN_PIPELINE,
      });
    }
    return new LabError('queryFailed', `The Athena query failed: ${detail}.`, { nextStep: SHOW_LOG });
  }
}

/**
 * Athena (Trino) reports column names in lower case (`as totalSales` comes back as `totalsales`). The local engine
 * keeps the SQL's spelling, and the dashboard reads columns by name: give each lower-case name back the spelling the
 * SQL text uses for it, when the text has exactly one.
 */
export function withSqlCase(columns: QueryResult['columns'], sql: string): QueryResult['columns'] {
  const spellings = new Map<string, Set<string>>();
  for (const word of sql.match(/[A-Za-z_][A-Za-z0-9_]*/g) ?? []) {
    const key = word.toLowerCase();
    if (word !== key) (spellings.get(key) ?? spellings.set(key, new Set()).get(key)!).add(word);
  }
  return columns.map((c) => {
    const found = c.name === c.name.toLowerCase() ? spellings.get(c.name) : undefined;
    return found?.size === 1 ? { ...c, name: [...found][0] } : c;
  });
}

/** True when a result row is the header row Athena puts first in a SELECT's results. */
function isHeader(data: Array<{ VarCharValue?: string }>, info: Array<{ Name?: string; Label?: string }>): boolean {
  return data.length === info.length && data.every((d, i) => d.VarCharValue === (info[i].Label ?? info[i].Name));
}
