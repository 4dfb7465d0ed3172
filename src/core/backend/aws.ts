import { AthenaEngine } from '../aws/athena';
import { PreflightGlueRunner } from '../aws/preflightRunner';
import type { LabConfig } from '../config';
import { LabError } from '../errors';
import type { QueryEngine } from '../query/engine';
import type { BackendDeps } from './local';
import { SourceConnection } from './source';
import type { LabBackend, LakeCatalog, PipelineRunner, SourceBackend } from './types';

const SWITCH_MODE = { label: 'Switch Mode (Local / AWS)', command: 'lifecycleLab.switchMode' };

/** Work AWS mode cannot do from the editor yet (the Glue runner, the Glue catalog and Athena come next). */
function notYet(what: string): LabError {
  return new LabError('config', `${what} in AWS mode is not available in Lifecycle Lab yet; local mode runs the same pipeline and dashboard.`, {
    nextStep: SWITCH_MODE,
  });
}

/**
 * AWS mode: the source is the configured MySQL (RDS, found by Discover RDS Instance). The Glue job runner, the Glue
 * Data Catalog and the Athena engine plug in here as implementations of the same interfaces.
 */
export class AwsBackend implements LabBackend {
  readonly mode = 'aws' as const;
  readonly label = 'AWS';
  readonly source: SourceBackend;
  readonly pipeline: PipelineRunner;
  readonly lake: LakeCatalog;
  readonly query: QueryEngine;
  private readonly connection: SourceConnection;

  constructor(config: LabConfig, deps: BackendDeps) {
    const connection = new SourceConnection(config, deps.readPassword, deps.log);
    this.connection = connection;
    this.query = new AthenaEngine(config.aws, config.athena, { clock: deps.clock });
    this.source = connection.asSource(() => new LabError('labNotRunning', 'No source: set the MySQL host or discover the RDS instance.', {
      nextStep: { label: 'Discover RDS Instance', command: 'lifecycleLab.source.discoverRds' },
    }));
    this.pipeline = new PreflightGlueRunner({ aws: config.aws, glue: config.glue, preflight: config.preflight, clock: deps.clock, log: deps.log });
    const unavailable = () => Promise.reject(notYet('Browsing the Glue Data Catalog'));
    this.lake = {
      location: 'Glue Data Catalog',
      overview: unavailable,
      manifest: async () => undefined,
      version: async () => 'aws',
      schema: unavailable,
      preview: unavailable,
      rowCount: unavailable,
      cellValue: unavailable,
      verify: unavailable,
    };
  }

  async dispose(): Promise<void> {
    await this.query.close();
    await this.connection.close();
  }
}
