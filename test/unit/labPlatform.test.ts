import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describeCliError } from '../../src/cli/errors';
import { LocalLab, localLabUnsupported } from '../../src/core/lab';
import { mariadbMissing } from '../../src/core/lab/mariadbBinaries';
import { expectLabError } from '../helpers';

const repo = path.resolve(__dirname, '../../..');

suite('lab: platforms where the local lab cannot run', () => {
  test('Linux and macOS run it; Windows is told why not and pointed to AWS mode', () => {
    assert.equal(localLabUnsupported('linux'), undefined);
    assert.equal(localLabUnsupported('darwin'), undefined);
    const err = localLabUnsupported('win32');
    assert.ok(err, 'win32 is refused');
    assert.equal(err.code, 'localLabUnsupported');
    assert.match(err.message, /cannot run on Windows/);
    assert.match(err.message, /Linux or macOS/);
    assert.match(err.message, /AWS mode works here/);
    assert.deepEqual(err.nextStep, { label: 'Switch to AWS Mode', command: 'lifecycleLab.switchMode' });
    // The CLI turns the step into the variable that selects AWS mode.
    assert.match(describeCliError(err), /Next step: Set LIFECYCLE_LAB_MODE to local or aws\.$/);
  });

  test('lab up on Windows refuses before it touches the lab folder or looks for MariaDB', async () => {
    const labDir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'lab-win32-')), 'lab');
    try {
      // searchDirs holds no mariadbd: were the platform not checked first, this would fail as mariadbMissing.
      const lab = new LocalLab({ labDir, dumpFile: path.join(repo, 'data', 'mysqlsampledatabase.sql'), searchDirs: [], platform: 'win32' });
      const err = await expectLabError(lab.up(), 'localLabUnsupported');
      assert.match(err.message, /Windows/);
      assert.equal(fs.existsSync(labDir), false, 'no lab folder was made');
    } finally {
      fs.rmSync(path.dirname(labDir), { recursive: true, force: true });
    }
  });

  test('a Mac without MariaDB is told to install it with Homebrew, Linux with apt-get', () => {
    assert.match(mariadbMissing('mariadbd', 'darwin').nextStep?.label ?? '', /^Install it: brew install mariadb$/);
    assert.match(mariadbMissing('mariadbd', 'linux').nextStep?.label ?? '', /apt-get install mariadb-server/);
  });
});
