import type { ConnectionOptions } from 'mysql2/promise';

/**
 * Stops the statement running on MySQL connection `threadId` with KILL QUERY, sent over a second connection
 * opened with `options`: the first one is busy with that statement (and a pool may be busy too), so the kill
 * must not wait behind it. The connection survives; only its statement ends. Rejects when the kill could not be
 * sent; callers decide whether that matters (the statement may have finished already).
 */
export async function killQuery(options: ConnectionOptions, threadId: number): Promise<void> {
  const mysql = await import('mysql2/promise');
  const killer = await mysql.createConnection(options);
  try {
    await killer.query('KILL QUERY ?', [threadId]);
  } finally {
    await killer.end();
  }
}
