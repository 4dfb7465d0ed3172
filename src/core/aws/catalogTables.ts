import type { LakeProblem, LakeProblemKind } from '../run/lakeCheck';
import type { LakeTableStats } from '../run/manifest';
import { splitS3Url } from './s3Manifest';

type SdkTable = NonNullable<import('@aws-sdk/client-glue').GetTableResponse['Table']>;

/** One table of the catalog database as the lake view needs it. */
export interface CatalogTable {
  name: string;
  /** s3://bucket/prefix/ of its data (the run prefix the job published). */
  location: string;
  columns: { name: string; type: string }[];
  updateTime?: Date;
}

/** One object under a table's location. */
export interface LakeObject {
  key: string;
  bytes: number;
  etag?: string;
}

export function toCatalogTable(table: SdkTable): CatalogTable {
  const sd = table.StorageDescriptor;
  return {
    name: table.Name ?? '',
    location: sd?.Location ?? '',
    columns: [...(sd?.Columns ?? []), ...(table.PartitionKeys ?? [])].map((c) => ({ name: c.Name ?? '', type: c.Type ?? 'string' })),
    updateTime: table.UpdateTime,
  };
}

/** Hive and Athena skip files whose name starts with `_` or `.` (markers, checksums): they are not table data. */
export function isDataObject(key: string): boolean {
  const name = key.slice(key.lastIndexOf('/') + 1);
  return name !== '' && !name.startsWith('_') && !name.startsWith('.');
}

/**
 * The folder a table's files are named relative to in the manifest: the job publishes `gold/<table>/run=<id>/` as the
 * location and records `run=<id>/part-….parquet`; a location without a run segment is the folder itself.
 */
export function tableFolderKey(location: string): string {
  const { prefix } = splitS3Url(location);
  const segments = prefix.split('/');
  return segments.at(-1)?.startsWith('run=') ? segments.slice(0, -1).join('/') : prefix;
}

/** The lake path (`s3://bucket[/prefix]`) a published table location lives under: everything before `/gold/`. */
export function lakePathOf(location: string): string | undefined {
  const match = /^(s3:\/\/[^/]+(?:\/.*?)?)\/gold\//.exec(location);
  return match?.[1];
}

/**
 * Compares the objects under a table's location with what the manifest recorded for it: every recorded part must be
 * there with its size, and nothing else may be (the same rules as the local lake's quick check). A table the manifest
 * does not list has nothing to be compared with.
 */
export function compareTable(table: CatalogTable, objects: LakeObject[], recorded: LakeTableStats | undefined): LakeProblem[] {
  if (!recorded) return [];
  const { bucket } = splitS3Url(table.location);
  const folder = tableFolderKey(table.location);
  const url = (key: string) => `s3://${bucket}/${key}`;
  const relative = (key: string) => (folder && key.startsWith(`${folder}/`) ? key.slice(folder.length + 1) : key);
  const problems: LakeProblem[] = [];
  const problem = (file: string, key: string, kind: LakeProblemKind, message: string) =>
    problems.push({ table: table.name, file, path: url(key), kind, message });
  const found = new Map(objects.map((o) => [relative(o.key), o]));
  if (Array.isArray(recorded.parts)) {
    const listed = new Set<string>();
    for (const part of recorded.parts) {
      listed.add(part.file);
      const key = folder ? `${folder}/${part.file}` : part.file;
      const object = found.get(part.file);
      if (!object) problem(part.file, key, 'missing', `${table.name}/${part.file} is missing from ${url(key)}.`);
      else if (object.bytes !== part.bytes) problem(part.file, key, 'size', `${table.name}/${part.file} is ${object.bytes} bytes in S3; the run wrote ${part.bytes} (truncated or overwritten).`);
    }
    for (const [file, object] of found) {
      if (!listed.has(file)) problem(file, object.key, 'unexpected', `${table.name}/${file} is not one of the files the run wrote.`);
    }
    return problems;
  }
  const bytes = objects.reduce((n, o) => n + o.bytes, 0);
  if (objects.length === 0) problem('*', folder, 'missing', `${table.name} has no files under ${table.location}; the run wrote ${recorded.files}.`);
  else if (bytes !== recorded.bytes || objects.length !== recorded.files) {
    problem('*', folder, 'size', `${table.name}'s files are ${bytes} bytes in ${objects.length} file${objects.length === 1 ? '' : 's'}; the run wrote ${recorded.bytes} bytes in ${recorded.files}.`);
  }
  return problems;
}

