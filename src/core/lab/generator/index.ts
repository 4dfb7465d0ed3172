/**
 * A deterministic classicmodels generator: the same scale and seed give the same rows, byte for byte.
 * reference.ts holds the dump-shaped reference data, random.ts the seeded PRNG, rows.ts the row plan of each
 * table, and load.ts streams the rows into a staging database with LOAD DATA LOCAL INFILE and swaps it in.
 */
export { classicmodelsSchema, generateClassicmodels, splitIndexes, type GenerateOptions, type GenerateResult } from './load';
export { Rng } from './random';
export { checkScale, generatedCounts, generatedTables, MAX_SCALE, type Row, type TablePlan } from './rows';
