/** Compare Lakes: two lakes side by side, table by table, through their query engines. */
export { compareLakes, DEFAULT_DIFF_LIMIT, type CompareLakesOptions, type LakeComparison, type LakeSide, type MoneyTotal, type TableComparison } from './lakes';
export { compareNamedLakes, LAKE_NAME_HELP, lakeLabel, openLake, parseLakeName, type LakeName, type OpenLake } from './lakeName';
export { mergeSortedRows, type CanonicalRow, type DifferingRow, type RowDiff } from './merge';
export { compareTables, type CompareTable } from './model';
export { comparisonLines, comparisonMarkdown } from './report';
export { canonicalDecimal, canonicalValue, compareValues, valueKind, type CompareColumn, type ValueKind } from './values';
