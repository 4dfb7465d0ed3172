import type { PreflightSettings } from '../config';
import type { PipelineResult } from '../run/result';
import { GluePipelineRunner, type GlueRunnerSettings, type GlueRunOptions } from './glueRunner';
import { preflightFailure, runPreflight } from './preflight';

export interface PreflightGlueRunnerSettings extends GlueRunnerSettings {
  preflight: PreflightSettings;
}

/**
 * The Glue runner with the network preflight in front: a run whose connection cannot reach the database or S3 would
 * fail only after Glue's minutes-long attempt, so it stops here first with the failing check's fix. Glue's own
 * TestConnection is left out (it takes as long as a run's start); checks that were skipped never block.
 */
export class PreflightGlueRunner extends GluePipelineRunner {
  constructor(private readonly withPreflight: PreflightGlueRunnerSettings) {
    super(withPreflight);
  }

  override async run(options: GlueRunOptions = {}): Promise<PipelineResult> {
    const { aws, preflight, log } = this.withPreflight;
    if (preflight.beforeRun) {
      const report = await runPreflight(aws, preflight.connectionName, {
        testConnection: false,
        clients: this.withPreflight.clients,
        signal: options.signal,
        onProgress: (p) => options.onProgress?.({ message: `Preflight: ${p.message}` }),
      });
      for (const check of report.checks) log?.info(`Preflight ${check.status}: ${check.name}: ${check.detail}`);
      const failure = preflightFailure(report);
      if (failure) throw failure;
    }
    return super.run(options);
  }
}
