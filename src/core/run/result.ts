import type { EngineStateChange, StepResult } from './events';
import type { LakeManifest } from './manifest';

/** What a successful run gives back: the manifest it published, how it went and how long it took. */
export interface PipelineResult {
  manifest: LakeManifest;
  /** The steps of an engine that runs here; empty for one that reports states. */
  steps: StepResult[];
  /** The states of an engine that runs elsewhere, in order (absent for one that runs here). */
  states?: EngineStateChange[];
  durationMs: number;
}
