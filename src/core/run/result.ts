import type { StepResult } from './events';
import type { LakeManifest } from './manifest';

/** What a successful run gives back: the manifest it published, its steps and how long it took. */
export interface PipelineResult {
  manifest: LakeManifest;
  steps: StepResult[];
  durationMs: number;
}
