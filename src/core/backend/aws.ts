import { AthenaEngine } from '../aws/athena';
import { AwsClients } from '../aws/awsClients';
import { PreflightGlueRunner } from '../aws/preflightRunner';
import { AwsLakeCatalog } from '../aws/lakeCatalog';
import type { CheckProbes } from '../check/checks';
import { backendProbes } from '../check/probes';
import type { LabConfig } from '../config';
import { LabError } from '../errors';
import type { QueryEngine } from '../query/engine';
import { awsProbes } from './awsProbes';
import type { BackendDeps } from './local';
import { SourceConnection } from './source';
import type { LabBackend, LakeCatalog, PipelineRunner, SourceBackend } from './types';

/**
 * AWS mode: the source is the configured MySQL (RDS, found by Discover RDS Instance), the pipeline the Glue job, the
 * lake the Glue Data Catalog database over S3, and the one query engine Athena.
 */
export class AwsBackend implements LabBackend {
  readonly label = 'AWS';
  readonly source: SourceBackend;
  readonly pipeline: PipelineRunner;
  readonly lake: LakeCatalog;
  readonly query: QueryEngine;
  private readonly connection: SourceConnection;
  private readonly catalog: AwsLakeCatalog;
  /** Every AWS SDK client of this backend, made on first use and destroyed with it. */
  private readonly clients: AwsClients;

  constructor(private readonly config: LabConfig, deps: BackendDeps) {
    // With no host set the source is the discovered RDS instance, never the local lab.
    const connection = new SourceConnection(config, deps.readPassword, deps.log, { localLab: false });
    this.connection = connection;
    this.clients = new AwsClients(config.aws);
    this.query = new AthenaEngine(config.aws, config.athena, { clock: deps.clock, clients: this.clients });
    this.source = connection.asSource(() => new LabError('labNotRunning', 'No source: set the MySQL host or discover the RDS instance.', {
      nextStep: { label: 'Discover RDS Instance', command: 'lifecycleLab.source.discoverRds' },
    }));
    this.pipeline = new PreflightGlueRunner({ aws: config.aws, glue: config.glue, preflight: config.preflight, clients: this.clients, clock: deps.clock, log: deps.log });
    this.catalog = new AwsLakeCatalog({ aws: config.aws, glue: config.glue, athena: config.athena }, this.query, this.clients);
    this.lake = this.catalog;
  }

  checks(): CheckProbes {
    return { ...backendProbes(this), aws: awsProbes(this.config, this.clients) };
  }

  async dispose(): Promise<void> {
    await Promise.allSettled([this.query.close(), this.catalog.close(), this.connection.close()]);
    await this.clients.destroy();
  }
}
