/** The model's metadata from glue/sql: column lineage (declared data tests will live here too). */
export { modelLineage, queryReads, type ColumnLineage, type ColumnRef, type JoinLineage, type LineageStep, type ModelLineage, type ModelSource, type QueryReads } from './lineage';
export { SqlParser } from './parse';
