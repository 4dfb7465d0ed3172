import type { DatasetRequest, DatasetResult, FilterOptions } from '../core/dashboard/model';
import type { LabServices } from '../services';
import { defaultTopProductsFilter } from './dashboardRequests';

/** Runs one of the dashboard's questions on the current backend; partial answers go to `onPartial` as they come. */
export type AskDataset = (request: DatasetRequest, signal: AbortSignal, onPartial: (partial: DatasetResult) => void) => Promise<DatasetResult>;

/** A question the host asked before the page did (as the panel opens); the page's request takes it over once. */
export interface EarlyAnswer {
  /** The lake version it was asked on: a request on another version does not take it. */
  version: string;
  result: Promise<DatasetResult>;
  /** The latest partial answer (the detailed aggregate's first page before its total) and who is shown the next. */
  partial?: DatasetResult;
  onPartial?: (partial: DatasetResult) => void;
}

/**
 * Answers for the lake as it is now, keyed by the catalog's version token and the request, kept across panels (a
 * closed and reopened dashboard answers at once) and dropped when the lake or the settings change. One set per
 * editor session (LabServices).
 */
const answerSets = new WeakMap<LabServices, Map<string, DatasetResult>>();

function answersOf(services: LabServices): Map<string, DatasetResult> {
  let answers = answerSets.get(services);
  if (!answers) {
    const created = new Map<string, DatasetResult>();
    answers = created;
    answerSets.set(services, created);
    // A damaged file can leave the version token as it was: a lake change always drops the answers.
    services.context.subscriptions.push(services.onDidChangeLake(() => created.clear()), services.onDidChangeBackend(() => created.clear()));
  }
  return answers;
}

const answerKey = (version: string, request: DatasetRequest) => `${version}|${JSON.stringify(request)}`;

/** Past the answers kept this many, they start over (a slider dragged through every N asks a new question each time). */
const KEPT_ANSWERS = 200;

/**
 * What a dashboard panel knows before it asks the engine: the answers kept for this lake version, and the questions
 * started ahead of the page (the webview takes a few hundred milliseconds to start, and a cold engine about as long
 * to answer).
 */
export class DashboardAnswers {
  private readonly answers: Map<string, DatasetResult>;
  /** Started ahead, by request (JSON); each is taken over once by the page's request. */
  private readonly early = new Map<string, EarlyAnswer>();
  private earlyController = new AbortController();

  constructor(services: LabServices) {
    this.answers = answersOf(services);
  }

  /** The filter options answered last for the current lake (answers are dropped when it changes), if any. */
  static filterOptions(services: LabServices): FilterOptions | undefined {
    const suffix = `|${JSON.stringify({ id: 'filterOptions' })}`;
    let options: FilterOptions | undefined;
    for (const [key, result] of answersOf(services)) if (key.endsWith(suffix) && result.filterOptions) options = result.filterOptions;
    return options;
  }

  /** The answer kept for this request on this lake version; never the lake's status, which is read afresh each time. */
  kept(version: string, request: DatasetRequest): DatasetResult | undefined {
    return request.id === 'lakeStatus' ? undefined : this.answers.get(answerKey(version, request));
  }

  remember(version: string, request: DatasetRequest, result: DatasetResult): void {
    // The lake's status is read afresh on every load (a damaged file can leave the version token as it was).
    if (request.id === 'lakeStatus') return;
    if (this.answers.size > KEPT_ANSWERS) this.answers.clear();
    this.answers.set(answerKey(version, request), result);
  }

  /**
   * Asks `requests` on the lake version `lakeVersion` reads, ahead of the page, except what is kept already; with
   * `followTopProducts`, the Top-N question follows the filter options' answer, as on the page.
   */
  async askAhead(lakeVersion: () => Promise<string>, requests: DatasetRequest[], followTopProducts: boolean, ask: AskDataset): Promise<void> {
    // Taken before the version is read: forgetEarly() while it is read cancels these questions too.
    const signal = this.earlyController.signal;
    const version = await lakeVersion();
    const start = async (request: DatasetRequest): Promise<DatasetResult | undefined> => {
      if (signal.aborted) return undefined;
      const kept = this.kept(version, request);
      if (kept) return kept;
      const entry: EarlyAnswer = { version, result: Promise.resolve(undefined as never) };
      entry.result = ask(request, signal, (partial) => {
        entry.partial = partial;
        entry.onPartial?.(partial);
      }).then((result) => {
        this.remember(version, request, result);
        return result;
      });
      this.early.set(JSON.stringify(request), entry);
      // A failure reaches the page when it asks for this answer; until then it is not unhandled.
      return entry.result.catch(() => undefined);
    };
    await Promise.all(requests.map(async (request) => {
      const answer = await start(request);
      if (request.id === 'filterOptions' && answer?.filterOptions && followTopProducts) {
        await start({ id: 'topProducts', filter: defaultTopProductsFilter(answer.filterOptions) });
      }
    }));
  }

  /** The question asked ahead for this request, taken (once); undefined when none was, or on another lake version. */
  takeEarly(request: DatasetRequest, version: string): EarlyAnswer | undefined {
    const key = JSON.stringify(request);
    const entry = this.early.get(key);
    this.early.delete(key);
    return entry?.version === version ? entry : undefined;
  }

  /** Cancels what was asked ahead and forgets it. */
  forgetEarly(): void {
    this.earlyController.abort();
    this.earlyController = new AbortController();
    this.early.clear();
  }

  /** The lake changed: nothing kept answers for it. */
  clear(): void {
    this.answers.clear();
    this.forgetEarly();
  }
}
