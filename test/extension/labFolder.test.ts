import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { offerFolderLabMove } from '../../src/commands/labFolder';
import { defaultSettingsTarget } from '../../src/commands/settingsScope';
import { terraformSettingsTarget, type TerraformPrompts } from '../../src/commands/terraformPrompts';
import { resolveLabConfig } from '../../src/core/config';
import { LabError } from '../../src/core/errors';
import { editorLabLocation, type LabLocation } from '../../src/core/lab/location';
import { silentLogger } from '../../src/core/log';
import type { LabServices } from '../../src/services';

const REPO = path.resolve(__dirname, '../../..');

/**
 * A folder of the user's that holds an older version's `.lab/` (the window's own workspace is this repository, whose
 * `.lab` stays): the editor's side of the move, on a stand-in for LabServices over a temp folder and storage.
 */
suite('An older .lab/ in a user folder', function () {
  this.timeout(60_000);
  let tmp: string;
  let folder: string;
  let storage: string;
  let state: Map<string, unknown>;
  let relocated: number;

  const services = (): LabServices => {
    let location: LabLocation = editorLabLocation({ setting: '', folder, storageDir: storage });
    return {
      get labLocation() { return location; },
      storageDir: storage,
      context: { workspaceState: { get: (k: string) => state.get(k), update: (k: string, v: unknown) => { state.set(k, v); return Promise.resolve(); } } },
      log: silentLogger,
      config: () => resolveLabConfig({}, folder, { labDir: location.labDir }),
      asset: (...segments: string[]) => path.join(REPO, ...segments),
      relocateLab: () => {
        relocated++;
        location = editorLabLocation({ setting: '', folder, storageDir: storage });
      },
    } as unknown as LabServices;
  };

  setup(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lab-folder-'));
    folder = path.join(tmp, 'project');
    storage = path.join(tmp, 'storage');
    fs.mkdirSync(path.join(folder, '.lab', 'lake', 'gold'), { recursive: true });
    fs.writeFileSync(path.join(folder, '.lab', 'credentials.json'), '{}');
    fs.writeFileSync(path.join(folder, '.lab', 'lake', 'gold', '_manifest.json'), '{}');
    fs.writeFileSync(path.join(folder, 'notes.md'), '');
    state = new Map();
    relocated = 0;
  });

  teardown(() => fs.rmSync(tmp, { recursive: true, force: true }));

  test('Move: asked in a modal, the lab goes to the storage with its files, and the editor works from there', async () => {
    const asked: string[][] = [];
    const s = services();
    const outcome = await offerFolderLabMove(s, (message, detail, ...actions) => {
      asked.push([message, detail, ...actions]);
      return Promise.resolve(actions[0]);
    });
    assert.equal(outcome, 'moved');
    assert.equal(asked.length, 1);
    assert.match(asked[0][0], /older Lifecycle Lab/);
    assert.deepEqual(asked[0].slice(2), ['Move to Extension Storage', 'Keep in Folder']);
    assert.deepEqual(fs.readdirSync(folder), ['notes.md'], 'only the user\'s file is left');
    assert.ok(fs.existsSync(path.join(storage, 'lab', 'lake', 'gold', '_manifest.json')));
    assert.equal(relocated, 1);
    assert.equal(s.labLocation.origin, 'storage');
  });

  test('Keep in Folder: nothing moves, the lab is used where it is, and the question is not asked again', async () => {
    let asked = 0;
    const keep = (...[, , , keepAction]: string[]) => { asked++; return Promise.resolve(keepAction); };
    const s = services();
    assert.equal(await offerFolderLabMove(s, keep), 'kept');
    assert.equal(await offerFolderLabMove(s, keep), 'kept');
    assert.equal(asked, 1);
    assert.ok(fs.existsSync(path.join(folder, '.lab', 'credentials.json')));
    assert.equal(s.labLocation.labDir, path.join(folder, '.lab'));
    assert.equal(relocated, 0);
  });

  test('a dismissed question moves nothing and asks again next time', async () => {
    let asked = 0;
    const dismiss = () => { asked++; return Promise.resolve(undefined); };
    assert.equal(await offerFolderLabMove(services(), dismiss), 'kept');
    assert.equal(await offerFolderLabMove(services(), dismiss), 'kept');
    assert.equal(asked, 2);
    assert.ok(fs.existsSync(path.join(folder, '.lab', 'credentials.json')));
  });
});

/** Which settings the extension writes to, on stand-ins for LabServices (the window's folder is this repository). */
suite('Settings the extension writes', () => {
  const stand = (labRepository: boolean, state = new Map<string, unknown>()): LabServices => ({
    folderIsLabRepository: labRepository,
    context: { workspaceState: { get: (k: string) => state.get(k), update: (k: string, v: unknown) => { state.set(k, v); return Promise.resolve(); } } },
    log: silentLogger,
  }) as unknown as LabServices;
  const never: TerraformPrompts = { confirm: () => Promise.resolve(false), askValue: () => Promise.resolve(undefined) };

  test('workspace settings only in the lab\'s own repository; user settings in a folder of the user\'s', () => {
    assert.equal(defaultSettingsTarget(stand(true)), vscode.ConfigurationTarget.Workspace);
    assert.equal(defaultSettingsTarget(stand(false)), vscode.ConfigurationTarget.Global);
  });

  test('Terraform outputs: the repository\'s workspace settings unasked; in a user folder the scope picked once, remembered', async () => {
    assert.equal(await terraformSettingsTarget(stand(true), { ...never, settingsScope: () => Promise.reject(new Error('asked')) }),
      vscode.ConfigurationTarget.Workspace);
    let asked = 0;
    const user = stand(false);
    const pickUser: TerraformPrompts = { ...never, settingsScope: () => { asked++; return Promise.resolve('user'); } };
    assert.equal(await terraformSettingsTarget(user, pickUser), vscode.ConfigurationTarget.Global);
    assert.equal(await terraformSettingsTarget(user, pickUser), vscode.ConfigurationTarget.Global);
    assert.equal(asked, 1, 'asked once per folder');
    const workspace = stand(false);
    assert.equal(await terraformSettingsTarget(workspace, { ...never, settingsScope: () => Promise.resolve('workspace') }), vscode.ConfigurationTarget.Workspace);
    await assert.rejects(terraformSettingsTarget(stand(false), { ...never, settingsScope: () => Promise.resolve(undefined) }),
      (e: unknown) => e instanceof LabError && e.code === 'cancelled', 'dismissed: nothing is written');
  });
});
