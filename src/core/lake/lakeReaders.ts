import type { LakeProblem } from '../run/lakeCheck';
import type { LakeManifest } from '../run/manifest';
import { readLakeManifest } from './manifest';
import { checkLake, OPEN_HASH_MAX_BYTES, recoverLakeOnOpen } from './verify';

/**
 * A local lake as its readers open it (the dashboard's manifest and damage readers, outside the editor's backend):
 * a swap a crash interrupted is restored first.
 */

/** The manifest of a local lake (`<lakeDir>/gold/_manifest.json`), after restoring a swap a crash interrupted. */
export function localManifestReader(lakeDir: string): () => Promise<LakeManifest | undefined> {
  return async () => {
    await recoverLakeOnOpen(lakeDir).catch(() => false);
    return readLakeManifest(lakeDir);
  };
}

/**
 * The damage a local lake's open check finds (see checkLake's onOpen), after restoring a swap a crash interrupted.
 * Hashes are remembered per unchanged file, so asking again costs a few stat calls and reads.
 */
export function localDamageReader(lakeDir: string): () => Promise<LakeProblem[]> {
  return async () => {
    await recoverLakeOnOpen(lakeDir).catch(() => false);
    return (await checkLake(lakeDir, { onOpen: { hashMaxBytes: OPEN_HASH_MAX_BYTES } })).problems;
  };
}
