/**
 * What the extension exports. Its API (views' providers, snapshots, prompts to replace, rendered state) serves the
 * extension-host tests and the editor bench only, so a user's install exports nothing: the API is built only in a
 * host the test or bench runner started with LIFECYCLE_LAB_TEST_HOOKS=1 (the same switch as the dashboard's hooks).
 * No vscode import: the gate is unit-tested.
 */
import { testHooksEnabled } from './webview/dashboardHooks';

/** `buildTestApi()` when the runner set the switch, else undefined (and nothing is built). */
export function extensionExports<T>(buildTestApi: () => T, env: NodeJS.ProcessEnv = process.env): T | undefined {
  return testHooksEnabled(env) ? buildTestApi() : undefined;
}
