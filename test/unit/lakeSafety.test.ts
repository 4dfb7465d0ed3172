/**
 * Issue 19, items 1 and 4: a lake folder proves it is one before a run moves or deletes anything in it; the
 * filesystem root, system folders and pseudo-filesystems are refused at once (setting and --lake alike).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { resolveLabConfig } from '../../src/core/config';
import { LabError } from '../../src/core/errors';
import { lockLake } from '../../src/core/lake/lakeFiles';
import { lakePathProblem } from '../../src/core/lake/lakePath';
import { manifestPath } from '../../src/core/lake/manifest';
import { recoverLakeOnOpen } from '../../src/core/lake/verify';
import { expectLabError } from '../helpers';

suite('lake safety: a folder proves it is a lake before a run touches it', () => {
  let tmp: string;
  setup(async () => {
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'lake-safety-'));
  });
  teardown(async () => {
    await fs.rm(tmp, { recursive: true, force: true });
  });

  test('a folder whose gold/ holds no lake manifest is refused, and nothing in it is moved, deleted or added', async () => {
    const p = path.join(tmp, 'P');
    await fs.mkdir(path.join(p, 'gold', 'reports'), { recursive: true });
    await fs.writeFile(path.join(p, 'gold', 'reports', 'q3.txt'), 'x');
    const err = await expectLabError(lockLake(p), 'notALake');
    assert.match(err.message, new RegExp(`${p.replace(/[/\\.]/g, '\\$&')} is not a lake`));
    assert.match(err.message, /gold\/_manifest\.json/);
    assert.equal(err.nextStep?.setting, 'lifecycleLab.local.lakeDir');
    assert.equal(await fs.readFile(path.join(p, 'gold', 'reports', 'q3.txt'), 'utf8'), 'x');
    assert.deepEqual(await fs.readdir(p), ['gold'], 'no lock file or run log left in it');
  });

  test('a folder of other files is refused, naming some of them; a missing, empty or lake folder is taken', async () => {
    const docs = path.join(tmp, 'docs');
    await fs.mkdir(docs);
    await fs.writeFile(path.join(docs, 'thesis.tex'), 'x');
    await fs.mkdir(path.join(docs, 'photos'));
    const err = await expectLabError(lockLake(docs), 'notALake');
    assert.match(err.message, /photos/);
    assert.match(err.message, /thesis\.tex/);

    // Missing (created), empty, a lake with its manifest (and a note beside it), a lake whose runs never published.
    const lake = path.join(tmp, 'lake');
    await fs.mkdir(path.dirname(manifestPath(lake)), { recursive: true });
    await fs.writeFile(manifestPath(lake), JSON.stringify({ runId: 'r1', model: 'star-v1', tables: {} }));
    await fs.writeFile(path.join(lake, 'NOTES.md'), 'mine');
    const unpublished = path.join(tmp, 'unpublished');
    await fs.mkdir(unpublished);
    await fs.writeFile(path.join(unpublished, '_runs.jsonl'), '{}\n');
    await fs.mkdir(path.join(tmp, 'empty'));
    for (const dir of [path.join(tmp, 'new', 'lake'), path.join(tmp, 'empty'), lake, unpublished]) {
      const release = await lockLake(dir);
      await release();
    }
  });

  test('the filesystem root, system folders and pseudo-filesystems are refused by their path', () => {
    for (const dir of ['/', '/etc', '/etc/lake', '/usr', '/var', '/proc/x', '/sys/lake', '/dev/lake', '/proc']) {
      assert.ok(lakePathProblem(dir), `${dir} should be refused`);
    }
    for (const dir of ['/work/main/.lab/lake', path.join(os.tmpdir(), 'x', 'lake'), '/data/lake', '/var/lib/lab/lake']) {
      assert.equal(lakePathProblem(dir), undefined, `${dir} should be allowed`);
    }
  });

  test('a lake under /proc gets a clear error at once instead of a recursive mkdir that never returns', async () => {
    const err = await expectLabError(lockLake('/proc/x'), 'notALake');
    assert.match(err.message, /\/proc\/x/);
    assert.match(err.message, /pseudo-filesystem/);
    const deeper = await expectLabError(lockLake('/proc/self/x/y'), 'notALake');
    assert.match(deeper.message, /pseudo-filesystem/);
  });

  test('a symlink into a system folder is judged by where it leads', async () => {
    const link = path.join(tmp, 'link');
    await fs.symlink('/etc', link);
    const err = await expectLabError(lockLake(path.join(link, 'lake')), 'notALake');
    assert.match(err.message, /\/etc/);
  });

  test('the lake folder setting gets the same path guard: the editor and the CLI see it as a bad setting', () => {
    for (const value of ['/', '/etc', '/proc/x']) {
      assert.throws(() => resolveLabConfig({ 'local.lakeDir': value }, '/work/project'), (err: unknown) => {
        assert.ok(err instanceof LabError);
        assert.equal(err.code, 'config');
        assert.ok(err.message.startsWith(`The lake folder ${value}`), err.message);
        assert.equal(err.nextStep?.setting, 'lifecycleLab.local.lakeDir');
        return true;
      });
    }
    assert.equal(resolveLabConfig({ 'local.lakeDir': 'data/lake' }, '/work/project').local.lakeDir, '/work/project/data/lake');
  });

  test('opening a non-lake folder with a stray .old- folder does not move it into gold/', async () => {
    const p = path.join(tmp, 'P');
    await fs.mkdir(path.join(p, '.old-x'), { recursive: true });
    await fs.writeFile(path.join(p, 'mine.txt'), 'x');
    assert.equal(await recoverLakeOnOpen(p), false);
    assert.deepEqual((await fs.readdir(p)).sort(), ['.old-x', 'mine.txt']);
  });
});
