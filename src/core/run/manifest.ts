import * as v from 'valibot';
import { ReconcileCheckSchema } from './checks';

/**
 * The lake manifest (`gold/_manifest.json`): what the last successful run published and how it reconciled. Both
 * engines write it (the local one in TypeScript, the Glue job in Python); this schema is the TypeScript side of the
 * contract and glue/manifest.schema.json the Python side (test/unit/manifestSchema.test.ts keeps them in step).
 */

/** The tables of the star schema that a run publishes to the lake (the model runs them in its own order). */
export const MODEL_TABLES = ['dim_customers', 'dim_products', 'dim_locations', 'fact_orders'] as const;
export type ModelTable = (typeof MODEL_TABLES)[number];

export const MANIFEST_MODEL = 'star-v1';

const count = v.pipe(v.number(), v.integer(), v.minValue(0));
const scalar = v.union([v.string(), v.number(), v.boolean(), v.null()]);
/** A JSON object keyed by name (valibot's record alone also takes a list, which JSON Schema's "object" refuses). */
const keyed = <T extends v.GenericSchema>(values: T) => v.pipe(
  v.custom<Record<string, unknown>>((x) => typeof x === 'object' && x !== null && !Array.isArray(x), 'an object, not a list'),
  v.record(v.string(), values),
);

/** One file of a lake table as written: name relative to the table folder, size and SHA-256 (hex). */
export const LakePartSchema = v.object({ file: v.string(), bytes: count, sha256: v.string() });
export type LakePart = v.InferOutput<typeof LakePartSchema>;

/** What the manifest records per table. `parts` is absent in manifests written before it was recorded. */
export const LakeTableStatsSchema = v.object({
  rows: count,
  files: count,
  bytes: count,
  parts: v.optional(v.array(LakePartSchema)),
  /** Where the run wrote the table (the Glue job's run prefix in S3); the local engine's tables live under gold/. */
  location: v.optional(v.string()),
});
export type LakeTableStats = v.InferOutput<typeof LakeTableStatsSchema>;

/** One declared data test's outcome in a run (glue/sql/schema.yml and tests/), as the manifest records it. */
export const DataTestResultSchema = v.object({
  id: v.string(),
  kind: v.picklist(['unique', 'not_null', 'relationships', 'accepted_values', 'singular']),
  model: v.string(),
  column: v.optional(v.string()),
  severity: v.picklist(['error', 'warn']),
  /** pass: no failing row; fail: failing rows of an error test (the run fails); warn: failing rows of a warn test. */
  status: v.picklist(['pass', 'fail', 'warn']),
  failingRows: count,
  /** A few failing rows, column name to value. */
  sample: v.array(keyed(scalar)),
});
export type DataTestResult = v.InferOutput<typeof DataTestResultSchema>;

export const LakeManifestSchema = v.object({
  runId: v.string(),
  startedAt: v.string(),
  finishedAt: v.string(),
  model: v.literal(MANIFEST_MODEL),
  engine: v.object({ name: v.string(), version: v.string() }),
  source: v.object({
    host: v.string(),
    port: v.pipe(v.number(), v.integer()),
    database: v.string(),
    /** Source row counts of the extracted tables. */
    counts: keyed(count),
    /** Exact SUM(quantityOrdered * priceEach) of the source, as a decimal string. */
    orderAmountTotal: v.string(),
  }),
  tables: keyed(LakeTableStatsSchema),
  checks: v.array(ReconcileCheckSchema),
  /** The declared data tests on this run's tables; absent in older manifests. */
  tests: v.optional(v.array(DataTestResultSchema)),
  ok: v.boolean(),
  /**
   * The dashboard's recorded answers over this run's tables (the local pipeline's and the Glue job's); absent in older
   * manifests and runs that recorded none. Opaque to
   * the run: the dashboard checks each recorded part before it trusts it.
   */
  dashboard: v.optional(v.unknown()),
});
export type LakeManifest = v.InferOutput<typeof LakeManifestSchema>;

/** The manifest in a parsed JSON value, or undefined when it is not one (another model, a hand edit gone wrong). */
export function parseLakeManifest(value: unknown): LakeManifest | undefined {
  const result = v.safeParse(LakeManifestSchema, value);
  return result.success ? result.output : undefined;
}
