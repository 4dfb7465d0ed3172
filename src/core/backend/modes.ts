import * as fs from 'node:fs';
import type { LabConfig, LabMode } from '../config';
import { manifestPath } from '../lake/manifest';

/**
 * What the mode setting means to code that reads more than one lake or talks to the emulator (Compare Lakes, Stop
 * Emulated AWS): asked here, beside createBackend, so nothing outside core/backend reads the mode itself.
 */

/** A lake by the engine that reads it: the local engine over a folder, or the AWS one over a Glue database. */
export type LakeSource = { engine: 'local'; lakeDir?: string } | { engine: 'aws'; database?: string };

/** The engine of the lake the settings choose, and the other one. */
export function configuredLakes(config: Pick<LabConfig, 'mode'>): { current: LabMode; other: LabMode } {
  return config.mode === 'aws' ? { current: 'aws', other: 'local' } : { current: 'local', other: 'aws' };
}

/** Whether the mode the settings do not choose has a lake to read: a local lake on disk, or AWS settings that reach one. */
export function otherLakeSetUp(config: LabConfig): boolean {
  if (configuredLakes(config).other === 'local') return fs.existsSync(manifestPath(config.local.lakeDir));
  return !!(config.aws.endpoint || config.aws.profile || config.glue.lakePath);
}

/** The settings whose backend (createBackend) reads `lake`: the same settings in the lake's mode, aimed at it. */
export function configForLake(lake: LakeSource, config: LabConfig): LabConfig {
  if (lake.engine === 'aws') return { ...config, mode: 'aws', athena: { ...config.athena, database: lake.database ?? config.athena.database } };
  return { ...config, mode: 'local', local: { ...config.local, lakeDir: lake.lakeDir ?? config.local.lakeDir } };
}

/** The AWS endpoint override the configured backend talks to; undefined in local mode or on AWS's own endpoints. */
export function awsEndpointInUse(config: LabConfig): string | undefined {
  return configuredLakes(config).current === 'aws' && config.aws.endpoint ? config.aws.endpoint : undefined;
}
