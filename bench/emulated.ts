/**
 * The emulated AWS chain measured (`npm run bench:emulated -- [--scale N]`): on one lab of N times the dump, the Glue
 * job run on local Spark through the emulator (StartJobRun → glue_job.py → s3a) against the local DuckDB pipeline on
 * the same MariaDB, and for every dashboard card the bytes Trino scanned (Athena's DataScannedInBytes) against the
 * lake's total size (the Parquet objects of the tables the catalog points at), with and without the answers the job
 * records in its manifest (two Glue runs, side by side). Prints a table and writes
 * bench/results/emulated-<scale>.json; bench/emulated.md keeps the figures.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { GetTablesCommand, GlueClient } from '@aws-sdk/client-glue';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { awsClientConfig } from '../src/core/aws/clients';
import { DashboardData } from '../src/core/dashboard/service';
import { countOption, scriptArgs, withUsage } from './lib/args';
import { codeVersion, loadText, machineLine } from './lib/machine';
import { DASHBOARD_CARDS, startEmulatedChain, type EmulatedChain } from './emulatedChain';

const USAGE = 'npm run bench:emulated -- [--scale N]';
const repoRoot = path.resolve(__dirname, '../..');

/** The bytes of the objects under each catalog table's location: the lake a query can read. */
async function lakeBytes(glue: GlueClient, s3: S3Client, database: string): Promise<Record<string, number>> {
  const sizes: Record<string, number> = {};
  for (const table of (await glue.send(new GetTablesCommand({ DatabaseName: database }))).TableList ?? []) {
    const m = /^s3a?:\/\/([^/]+)\/(.*)$/.exec(table.StorageDescriptor?.Location ?? '');
    if (!m || !table.Name) continue;
    let total = 0;
    let token: string | undefined;
    do {
      const page = await s3.send(new ListObjectsV2Command({ Bucket: m[1], Prefix: m[2], ContinuationToken: token }));
      total += (page.Contents ?? []).reduce((sum, o) => sum + (o.Size ?? 0), 0);
      token = page.NextContinuationToken;
    } while (token);
    sizes[table.Name] = total;
  }
  return sizes;
}

type CardFigure = { card: string; bytesScanned?: number; ofLake?: number; seconds: number; recorded?: boolean };

/** Every card of DASHBOARD_CARDS asked of a fresh dashboard on the AWS lake: bytes scanned, against the lake's size. */
async function measureCards(chain: EmulatedChain, lakeTotal: number): Promise<{ cards: CardFigure[]; scanned: number }> {
  const dashboard = new DashboardData(chain.aws.query, () => chain.aws.lake.manifest());
  const cards: CardFigure[] = [];
  for (const request of DASHBOARD_CARDS) {
    const t0 = Date.now();
    const result = await dashboard.dataset(request);
    const card = 'filter' in request ? `${request.id} ${JSON.stringify(request.filter)}` : 'query' in request ? `${request.id} ${JSON.stringify(request.query)}`
      : 'page' in request ? `${request.id} page ${request.page}` : request.id;
    cards.push({ card, bytesScanned: result.bytesScanned, ofLake: result.bytesScanned === undefined ? undefined : result.bytesScanned / lakeTotal,
      seconds: (Date.now() - t0) / 1000, recorded: result.recorded });
  }
  return { cards, scanned: cards.reduce((sum, c) => sum + (c.bytesScanned ?? 0), 0) };
}

/**
 * Two Glue runs on the same source, one after the other: without the dashboard's recorded answers (--record_dashboard
 * never: every card asks Athena), then as the job runs by default (auto: at this scale it records them). Each run's
 * dashboard is measured on its own lake.
 */
async function main(): Promise<void> {
  const args = scriptArgs(USAGE, { scale: { type: 'string' } });
  const scale = withUsage(USAGE, args, () => countOption(args, 'scale', 100));
  console.log(`emulated AWS bench, scale ${scale}: ${machineLine()}, load ${loadText()}, code ${codeVersion(repoRoot)}`);
  const chain = await startEmulatedChain({ scale });
  const glue = new GlueClient(awsClientConfig(chain.awsConfig.aws));
  const s3 = new S3Client({ ...awsClientConfig(chain.awsConfig.aws), forcePathStyle: true });
  try {
    console.log(`set-up: ${Object.entries(chain.seconds).map(([k, v]) => `${k} ${v.toFixed(1)} s`).join(', ')}`);
    let t0 = Date.now();
    const localRun = await chain.local.pipeline.run({});
    const localSeconds = (Date.now() - t0) / 1000;
    const runs: Record<string, { glueSeconds: number; runId: string; tables: Record<string, number>; lakeTotal: number; cards: CardFigure[]; scanned: number }> = {};
    for (const recordDashboard of ['never', 'auto'] as const) {
      t0 = Date.now();
      const glueRun = await chain.aws.pipeline.run({ recordDashboard });
      const glueSeconds = (Date.now() - t0) / 1000;
      console.log(`pipeline: DuckDB ${localSeconds.toFixed(1)} s (${localRun.manifest.runId}), Glue on local Spark with --record_dashboard ${recordDashboard} `
        + `${glueSeconds.toFixed(1)} s (${glueRun.manifest.runId}${glueRun.manifest.dashboard ? ', answers recorded' : ''}): ratio `
        + `${(glueSeconds / localSeconds).toFixed(1)}x, load ${loadText()}`);
      t0 = Date.now();
      await chain.emulated.up({ labPort: chain.target.port, codeRoot: repoRoot });
      if (recordDashboard === 'never') console.log(`waited ${((Date.now() - t0) / 1000).toFixed(1)} s more for Trino`);
      const tables = await lakeBytes(glue, s3, chain.awsConfig.athena.database);
      const lakeTotal = Object.values(tables).reduce((a, b) => a + b, 0);
      console.log(`lake (Glue's Parquet): ${Object.entries(tables).map(([t, b]) => `${t} ${b}`).join(', ')}; total ${lakeTotal} bytes`);
      const { cards, scanned } = await measureCards(chain, lakeTotal);
      for (const c of cards) {
        console.log(`  ${c.card.padEnd(110)} ${c.bytesScanned === undefined ? '   (no scan figure)' : `${String(c.bytesScanned).padStart(12)} B ${(100 * c.ofLake!).toFixed(1).padStart(6)} %`}  ${c.seconds.toFixed(1)} s${c.recorded ? ' (recorded)' : ''}`);
      }
      console.log(`whole dashboard (--record_dashboard ${recordDashboard}): ${scanned} bytes scanned = ${(scanned / lakeTotal).toFixed(2)} x the lake's ${lakeTotal} bytes`);
      runs[recordDashboard] = { glueSeconds, runId: glueRun.manifest.runId, tables, lakeTotal, cards, scanned };
    }
    const [asked, opened] = [runs.never, runs.auto];
    console.log(`recorded answers: the dashboard scans ${(opened.scanned / asked.scanned).toFixed(2)}x the bytes it scans without them `
      + `(${(asked.scanned / asked.lakeTotal).toFixed(2)}x -> ${(opened.scanned / opened.lakeTotal).toFixed(2)}x the lake); `
      + `the Glue run took ${(opened.glueSeconds / asked.glueSeconds).toFixed(2)}x as long recording them`);
    const out = path.join(repoRoot, 'bench', 'results', `emulated-${scale}.json`);
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, `${JSON.stringify({ scale, machine: machineLine(), load: loadText(), code: codeVersion(repoRoot), setupSeconds: chain.seconds,
      localSeconds, runs }, null, 2)}\n`);
    console.log(`written ${path.relative(repoRoot, out)}`);
  } finally {
    glue.destroy();
    s3.destroy();
    await chain.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack ?? err.message : String(err));
  process.exitCode = 1;
});
