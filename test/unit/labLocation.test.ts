import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { labDirForCli } from '../../src/cli/env';
import { resolveLabConfig } from '../../src/core/config';
import { LabError } from '../../src/core/errors';
import {
  cliLabDir, editorLabLocation, isLabRepository, labIndexFile, moveLabDir, readLabIndex, recordLabDir,
} from '../../src/core/lab/location';
import { labPaths } from '../../src/core/lab/state';

const REPO = path.resolve(__dirname, '../../..');

suite('lab location: where a workspace\'s lab lives, for the editor and the CLI', () => {
  let tmp: string;
  let env: NodeJS.ProcessEnv;
  let userFolder: string;
  let storage: string;

  setup(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lab-location-'));
    env = { XDG_STATE_HOME: path.join(tmp, 'state'), HOME: path.join(tmp, 'home') };
    userFolder = path.join(tmp, 'my project');
    storage = path.join(tmp, 'workspaceStorage', 'abc', 'publisher.lifecycle-lab');
    fs.mkdirSync(userFolder, { recursive: true });
  });

  teardown(() => fs.rmSync(tmp, { recursive: true, force: true }));

  test('the lab\'s own repository is recognised by its package.json or by its dump and model; a user\'s folder is not', () => {
    assert.equal(isLabRepository(REPO), true);
    assert.equal(isLabRepository(userFolder), false);
    fs.writeFileSync(path.join(userFolder, 'package.json'), JSON.stringify({ name: 'my-app' }));
    assert.equal(isLabRepository(userFolder), false, 'another package');
    const copy = path.join(tmp, 'lab-copy');
    fs.mkdirSync(path.join(copy, 'data'), { recursive: true });
    fs.mkdirSync(path.join(copy, 'glue', 'sql'), { recursive: true });
    fs.writeFileSync(path.join(copy, 'data', 'mysqlsampledatabase.sql'), '');
    assert.equal(isLabRepository(copy), true, 'a copy of the lab without package.json');
  });

  test('editor: a user\'s folder keeps nothing of the lab; the repository keeps .lab and lab.labnb; the setting wins', () => {
    assert.deepEqual(editorLabLocation({ setting: '', folder: userFolder, storageDir: storage }),
      { labDir: path.join(storage, 'lab'), origin: 'storage', notebookFile: path.join(storage, 'lab.labnb'), labRepository: false });
    assert.deepEqual(editorLabLocation({ setting: '', storageDir: storage }),
      { labDir: path.join(storage, 'lab'), origin: 'storage', notebookFile: path.join(storage, 'lab.labnb'), labRepository: false }, 'no folder open: global storage');
    assert.deepEqual(editorLabLocation({ setting: '', folder: REPO, storageDir: storage }),
      { labDir: path.join(REPO, '.lab'), origin: 'lab-repository', notebookFile: path.join(REPO, 'lab.labnb'), labRepository: true });
    const set = editorLabLocation({ setting: 'state/lab', folder: userFolder, storageDir: storage });
    assert.equal(set.labDir, path.join(userFolder, 'state/lab'));
    assert.equal(set.origin, 'setting');
    assert.deepEqual(editorLabLocation({ setting: '/tmp/x', folder: REPO, storageDir: storage }),
      { labDir: '/tmp/x', origin: 'setting', notebookFile: path.join(REPO, 'lab.labnb'), labRepository: true }, 'the repository with a labDir setting');
  });

  test('editor: an older version\'s .lab/ in the folder is used where it is (its move is only offered)', () => {
    fs.mkdirSync(path.join(userFolder, '.lab'));
    assert.equal(editorLabLocation({ setting: '', folder: userFolder, storageDir: storage }).origin, 'storage', 'an empty .lab/ is no lab');
    fs.writeFileSync(path.join(userFolder, '.lab', 'lab.json'), '{}');
    assert.deepEqual(editorLabLocation({ setting: '', folder: userFolder, storageDir: storage }),
      { labDir: path.join(userFolder, '.lab'), origin: 'folder-lab', notebookFile: path.join(storage, 'lab.labnb'), labRepository: false });
  });

  test('the CLI finds the lab the editor recorded for its folder, also from a subfolder, and the repository\'s .lab', () => {
    const labDir = editorLabLocation({ setting: '', folder: userFolder, storageDir: storage }).labDir;
    recordLabDir(userFolder, labDir, env);
    assert.deepEqual(cliLabDir(userFolder, env), { labDir, origin: 'index', record: false });
    const sub = path.join(userFolder, 'src', 'deep');
    fs.mkdirSync(sub, { recursive: true });
    assert.equal(cliLabDir(sub, env).labDir, labDir);
    assert.equal(cliLabDir(path.join(REPO, 'src'), env).labDir, path.join(REPO, '.lab'));
    assert.equal(labDirForCli(sub, env), labDir);
    assert.equal(labDirForCli(sub, { ...env, LIFECYCLE_LAB_LOCAL_LABDIR: '/elsewhere' }), undefined, 'the editor\'s terminal variable decides');
  });

  test('the CLI in a folder nobody recorded gets a lab in the user\'s state dir, recorded for its next run', () => {
    const found = cliLabDir(userFolder, env);
    assert.equal(found.record, true);
    assert.ok(found.labDir.startsWith(path.join(tmp, 'state', 'lifecycle-lab', 'labs') + path.sep), found.labDir);
    assert.ok(!found.labDir.startsWith(userFolder));
    assert.equal(labDirForCli(userFolder, env), found.labDir);
    assert.deepEqual(readLabIndex(env), { [userFolder]: found.labDir });
    assert.equal(cliLabDir(userFolder, env).record, false);
  });

  test('editor: a lab the CLI made for the folder first is adopted (the index entry), not a second one in storage', () => {
    const made = cliLabDir(userFolder, env);
    recordLabDir(userFolder, made.labDir, env);
    const indexed = readLabIndex(env)[userFolder];
    assert.equal(editorLabLocation({ setting: '', folder: userFolder, storageDir: storage, indexed }).origin, 'storage',
      'an entry whose folder holds no lab yet is not adopted');
    fs.mkdirSync(path.join(made.labDir, 'mariadb'), { recursive: true });
    assert.deepEqual(editorLabLocation({ setting: '', folder: userFolder, storageDir: storage, indexed }),
      { labDir: made.labDir, origin: 'index', notebookFile: path.join(storage, 'lab.labnb'), labRepository: false });
    assert.equal(editorLabLocation({ setting: 'mine', folder: userFolder, storageDir: storage, indexed }).origin, 'setting', 'the setting still wins');
    const own = path.join(storage, 'lab');
    fs.mkdirSync(path.join(own, 'mariadb'), { recursive: true });
    assert.equal(editorLabLocation({ setting: '', folder: userFolder, storageDir: storage, indexed: own }).origin, 'storage',
      'the editor\'s own entry is its storage');
  });

  test('the index survives a bad file (read as empty) and is rewritten whole', () => {
    fs.mkdirSync(path.dirname(labIndexFile(env)), { recursive: true });
    fs.writeFileSync(labIndexFile(env), '{"version": 1, "folders": ');
    assert.deepEqual(readLabIndex(env), {});
    recordLabDir(userFolder, '/x/lab', env);
    recordLabDir('/other', '/y/lab', env);
    recordLabDir('/other', undefined, env);
    assert.deepEqual(readLabIndex(env), { [userFolder]: '/x/lab' });
  });

  test('moving an older .lab/ moves every file and refuses a target that holds files', () => {
    const from = path.join(userFolder, '.lab');
    fs.mkdirSync(path.join(from, 'lake', 'gold'), { recursive: true });
    fs.writeFileSync(path.join(from, 'lab.json'), '{}');
    fs.writeFileSync(path.join(from, 'lake', 'gold', '_manifest.json'), '{}');
    const busy = path.join(tmp, 'busy');
    fs.mkdirSync(busy);
    fs.writeFileSync(path.join(busy, 'x'), '');
    assert.throws(() => moveLabDir(from, busy), (e: unknown) => e instanceof LabError && /already holds files/.test(e.message));
    assert.ok(fs.existsSync(path.join(from, 'lab.json')), 'nothing moved');
    const target = path.join(storage, 'lab');
    moveLabDir(from, target);
    assert.equal(fs.existsSync(from), false);
    assert.ok(fs.existsSync(path.join(target, 'lake', 'gold', '_manifest.json')));
    assert.deepEqual(fs.readdirSync(userFolder), []);
  });

  test('config: the lab folder given by the location is used unless the setting names one', () => {
    assert.equal(resolveLabConfig({}, userFolder, { labDir: '/store/lab' }).local.labDir, '/store/lab');
    assert.equal(resolveLabConfig({}, userFolder, { labDir: '/store/lab' }).local.lakeDir, '/store/lab/lake');
    assert.equal(resolveLabConfig({ 'local.labDir': 'mine' }, userFolder, { labDir: '/store/lab' }).local.labDir, path.join(userFolder, 'mine'));
    assert.equal(resolveLabConfig({}, userFolder).local.labDir, path.join(userFolder, '.lab'), 'scripts and tests without a location');
  });

  test('the MariaDB socket of a lab deep in the extension\'s storage still fits a Unix socket path', () => {
    const deep = path.join('/root/.config/Code/User/workspaceStorage', 'f'.repeat(32), 'lifecycle-lab.lifecycle-lab', 'lab');
    const socket = labPaths(deep).socket;
    assert.ok(Buffer.byteLength(socket) <= 100, socket);
    assert.equal(labPaths(deep).socket, socket, 'the same lab, the same socket');
    assert.notEqual(labPaths(`${deep}2`).socket, socket);
    assert.equal(labPaths('/work/main/.lab').socket, '/work/main/.lab/mariadb/run/mysqld.sock', 'a short path keeps it beside the server');
  });
});

suite('config: settings checked by their schemas', () => {
  test('terraform.variables: an object or its JSON; an array, a password or a nested value is refused naming the setting', () => {
    assert.deepEqual(resolveLabConfig({ 'terraform.variables': '{"project":"p","count":2}' }, '/').terraform.variables, { project: 'p', count: '2' });
    for (const bad of [['a'], '{not json', { db_password: 'x' }, { 'bad name': 'x' }, { nested: { a: 1 } }]) {
      assert.throws(() => resolveLabConfig({ 'terraform.variables': bad }, '/'),
        (e: unknown) => e instanceof LabError && e.nextStep?.setting === 'lifecycleLab.terraform.variables' && /must be/.test(e.message), JSON.stringify(bad));
    }
  });

  test('text is trimmed, an empty required one takes its default; a number may come as the CLI\'s string', () => {
    const c = resolveLabConfig({ 'mysql.host': '  db.example ', 'mysql.user': '  ', 'mysql.port': '3307', 'aws.athenaCostPerTbUsd': '2.5', 'aws.lakePath': 's3://my-bucket/lake//' }, '/');
    assert.equal(c.mysql.host, 'db.example');
    assert.equal(c.mysql.user, 'admin');
    assert.equal(c.mysql.port, 3307);
    assert.equal(c.athena.costPerTbUsd, 2.5);
    assert.equal(c.glue.lakePath, 's3://my-bucket/lake');
    assert.throws(() => resolveLabConfig({ 'mysql.port': 3306.5 }, '/'), /whole number from 1 to 65535 \(got 3306.5\)/);
    assert.throws(() => resolveLabConfig({ 'mysql.host': 42 }, '/'), /The MySQL host must be a string \(got 42\)/);
  });
});
