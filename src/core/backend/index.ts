import type { LabConfig } from '../config';
import { AwsBackend } from './aws';
import { LocalBackend, type BackendDeps } from './local';
import type { LabBackend } from './types';

export type { BackendDeps } from './local';
export { awsEndpointInUse, configForLake, configuredLakes, otherLakeSetUp, type LakeSource } from './modes';
export type * from './types';

/** The mode's backend, chosen once here: the only place that turns the mode setting into code. */
export function createBackend(config: LabConfig, deps: BackendDeps): LabBackend {
  const backends: Record<LabConfig['mode'], () => LabBackend> = {
    local: () => new LocalBackend(config, deps),
    aws: () => new AwsBackend(config, deps),
  };
  return backends[config.mode]();
}
