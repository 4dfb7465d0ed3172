import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { configForLake, configuredLakes, createBackend, type BackendDeps } from '../backend';
import type { LabConfig } from '../config';
import { LabError } from '../errors';
import { manifestPath } from '../lake/manifest';
import { compareLakes, type CompareLakesOptions, type LakeComparison, type LakeSide } from './lakes';
import { compareTables } from './model';

/**
 * A lake as the user names it: `local` (the configured local lake), `aws` (the configured Glue database, through
 * Athena), `aws:<database>` (another Glue database), `current` (the lake of the mode the settings choose), or a
 * folder holding gold/_manifest.json (the lake folder or its gold/ folder).
 */
export type LakeName =
  | { kind: 'local' }
  | { kind: 'aws'; database?: string }
  | { kind: 'folder'; dir: string };

export const LAKE_NAME_HELP = "local, aws, aws:<glue database>, current, or a lake folder (one holding gold/_manifest.json)";

const GLUE_DATABASE = /^[a-z0-9_]{1,255}$/i;

/** Reads what the user typed; a folder is resolved against `cwd`. Throws a config LabError naming the forms it takes. */
export function parseLakeName(text: string, config: Pick<LabConfig, 'mode'>, cwd: string): LakeName {
  const given = text.trim();
  if (!given) throw new LabError('config', `No lake named. Name one as ${LAKE_NAME_HELP}.`);
  if (given === 'current') return { kind: configuredLakes(config).current };
  if (given === 'local') return { kind: 'local' };
  if (given === 'aws') return { kind: 'aws' };
  const aws = /^(?:aws|glue|athena):(.*)$/i.exec(given);
  if (aws) {
    if (!GLUE_DATABASE.test(aws[1])) throw new LabError('config', `'${aws[1]}' is not a Glue database name (letters, digits, _). Name the lake as aws:<glue database>.`);
    return { kind: 'aws', database: aws[1] };
  }
  if (/^s3a?:\/\//i.test(given)) {
    throw new LabError('config', `${given}: an S3 location is read through the Glue database whose tables point at it. Name the lake as aws:<glue database> (the Terraform module's catalog_database output).`);
  }
  return { kind: 'folder', dir: path.resolve(cwd, given) };
}

/** How a lake reads in the report, e.g. "local (/x/.lab/lake)" or "aws (Glue database de_c1w2_lake)". */
export function lakeLabel(name: LakeName, config: LabConfig): string {
  switch (name.kind) {
    case 'local': return `local (${config.local.lakeDir})`;
    case 'aws': return `aws (Glue database ${name.database ?? config.athena.database})`;
    case 'folder': return name.dir;
  }
}

/** An open lake: its side of the comparison and what closes its engine. */
export interface OpenLake {
  side: LakeSide;
  close(): Promise<void>;
}

/**
 * Opens a named lake through the backend of its mode (createBackend), so it is read exactly as the dashboard reads it:
 * DuckDB over a folder (checked against its manifest), Athena over a Glue database.
 */
export async function openLake(name: LakeName, config: LabConfig, deps: BackendDeps): Promise<OpenLake> {
  const lakeConfig = configForLake(name.kind === 'folder' ? { engine: 'local', lakeDir: await lakeFolder(name.dir) }
    : name.kind === 'aws' ? { engine: 'aws', database: name.database } : { engine: 'local' }, config);
  const backend = createBackend(lakeConfig, deps);
  return { side: { name: lakeLabel(name, lakeConfig), engine: backend.query }, close: () => backend.dispose() };
}

/** The lake folder of a path naming it or its gold/ folder; notALake when neither holds a manifest. */
async function lakeFolder(dir: string): Promise<string> {
  for (const candidate of [dir, path.dirname(dir)]) {
    if (candidate !== dir && path.basename(dir) !== 'gold') break;
    if (await exists(manifestPath(candidate))) return candidate;
  }
  throw new LabError('notALake', `${dir} is not a lake: there is no gold/_manifest.json in it.`, {
    nextStep: { label: 'Name the folder a pipeline run wrote (the one holding gold/), or run the pipeline with --lake DIR', command: 'lifecycleLab.pipeline.run' },
  });
}

async function exists(file: string): Promise<boolean> {
  return fs.stat(file).then((s) => s.isFile(), () => false);
}

/**
 * Compares two named lakes over the model's tables (glue/sql in deps.modelDir): opens both, compares, and closes both
 * whatever happens (a cancel included).
 */
export async function compareNamedLakes(a: LakeName, b: LakeName, config: LabConfig, deps: BackendDeps,
  options: CompareLakesOptions = {}): Promise<LakeComparison> {
  const tables = await compareTables(deps.modelDir);
  const opened: OpenLake[] = [];
  try {
    opened.push(await openLake(a, config, deps));
    opened.push(await openLake(b, config, deps));
    return await compareLakes(opened[0].side, opened[1].side, tables, options);
  } finally {
    await Promise.allSettled(opened.map((lake) => lake.close()));
  }
}
