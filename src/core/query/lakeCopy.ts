import type { DuckDBInstance } from '@duckdb/node-api';
import { parquetSource, type LakeTable } from './lakeTables';
import { sqlIdent } from './sqlText';

/** What a copy needs of the engine it serves. */
export interface LakeCopyHost {
  /** Resolves when the engine has been idle for a moment (the page asks its cards in one burst), or the copy is stopped. */
  whenIdle(): Promise<void>;
  /** Whether the engine still serves the lake version being copied (not closed, not replaced by another version). */
  serves(signature: string): boolean;
  /** Whether the engine is closed (its instance goes, with the copy's tables). */
  closed(): boolean;
  /** Runs a catalog change after the previous one (the engine's view changes are serialised). */
  serialized(step: () => Promise<void>): Promise<void>;
  /** The views now read these tables, in the order of the copied lake tables. */
  switched(names: string[]): void;
}

/**
 * One lake version copied into DuckDB's memory in the background, under names of its own; once every table is
 * copied the views switch to the copy in one transaction, so no query ever sees a half-built copy. Stopped (a newer
 * version, close) or failed, its tables are dropped and the views keep reading the Parquet files, which give the
 * same answers.
 */
export class LakeCopy {
  readonly done: Promise<void>;
  private stopped = false;
  private interrupt?: () => void;

  constructor(instance: DuckDBInstance, tables: LakeTable[], readonly signature: string, copyNumber: number, host: LakeCopyHost) {
    const names = tables.map((t) => `__lake_copy_${copyNumber}_${t.name}`);
    const isCurrent = () => !this.stopped && host.serves(signature);
    this.done = (async () => {
      await host.whenIdle();
      if (!isCurrent()) return;
      const connection = await instance.connect();
      this.interrupt = () => connection.interrupt();
      let switched = false;
      try {
        for (const [i, table] of tables.entries()) {
          if (!isCurrent()) return;
          await connection.run(`CREATE TABLE ${sqlIdent(names[i])} AS SELECT * FROM ${parquetSource(table)}`);
        }
        await host.serialized(async () => {
          if (!isCurrent()) return;
          await connection.run('BEGIN TRANSACTION');
          try {
            for (const [i, table] of tables.entries()) {
              await connection.run(`CREATE OR REPLACE VIEW ${sqlIdent(table.name)} AS SELECT * FROM ${sqlIdent(names[i])}`);
            }
            await connection.run('COMMIT');
          } catch (err) {
            await connection.run('ROLLBACK').catch(() => undefined);
            throw err;
          }
          switched = true;
          host.switched(names);
        });
      } catch {
        // Interrupted or failed: the views keep reading the Parquet files, which give the same answers.
      } finally {
        if (!switched && !host.closed()) {
          for (const name of names) await connection.run(`DROP TABLE IF EXISTS ${sqlIdent(name)}`).catch(() => undefined);
        }
        this.interrupt = undefined;
        connection.closeSync();
      }
    })();
  }

  /** Interrupts the copy; resolves once its tables are dropped (never await it inside the host's serialized()). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.interrupt?.();
    await this.done;
  }
}
