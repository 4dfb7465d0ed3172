/** The model's metadata from glue/sql: column lineage and the declared data tests (schema.yml, tests/). */
export { modelLineage, queryReads, type ColumnLineage, type JoinLineage, type LineageStep, type ModelLineage, type ModelSource, type QueryReads } from './lineage';
export type { Catalog, ColumnRef } from './scope';
export { SqlParser } from './parse';
export { loadDataTests, parseSchemaTests, parseSingularTest, SCHEMA_FILE, TESTS_DIR, type DataTest, type DataTestKind, type TestSeverity } from './tests';
