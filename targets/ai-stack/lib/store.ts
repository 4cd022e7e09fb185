import pg from 'pg';
import type { Logger } from '../../../common/src/log.ts';

/**
 * The vector store: one PostgreSQL table of labelled messages with their embeddings as `cube`
 * values, and a GiST index so `ORDER BY embedding <-> $1 LIMIT k` is a nearest-neighbour search.
 */
export const DOCUMENTS_TABLE = 'documents';

// Two services create the schema at start; the advisory lock keeps their DDL from racing, which
// CREATE ... IF NOT EXISTS alone does not prevent.
const SCHEMA_LOCK_KEY = 4_240_001;

export function createPool(
  connectionString: string,
  logger: Logger,
  options: { max?: number; queryTimeoutMs?: number } = {},
): pg.Pool {
  const pool = new pg.Pool({
    connectionString,
    max: options.max ?? 5,
    connectionTimeoutMillis: 2_000,
    query_timeout: options.queryTimeoutMs ?? 5_000,
    idleTimeoutMillis: 10_000,
  });
  pool.on('error', (error) =>
    logger.warn({ err: error, dependency: 'postgres' }, 'idle PostgreSQL connection failed'),
  );
  return pool;
}

/** Creates the `cube` extension, the table and its index when they are missing. */
export async function ensureSchema(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [SCHEMA_LOCK_KEY]);
    await client.query('CREATE EXTENSION IF NOT EXISTS cube');
    await client.query(`CREATE TABLE IF NOT EXISTS ${DOCUMENTS_TABLE} (
      id text PRIMARY KEY,
      label text CHECK (label IN ('spam', 'ham')),
      embedding cube NOT NULL,
      indexed_at timestamptz NOT NULL DEFAULT now()
    )`);
    await client.query(
      `CREATE INDEX IF NOT EXISTS ${DOCUMENTS_TABLE}_embedding_gist ON ${DOCUMENTS_TABLE} USING gist (embedding)`,
    );
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

export interface DocumentRow {
  id: string;
  label: 'spam' | 'ham' | null;
  embedding: number[];
}

/** Inserts rows in one transaction; a row whose id exists already is left as it is. */
export async function insertDocuments(pool: pg.Pool, rows: DocumentRow[]): Promise<number> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    let inserted = 0;
    for (const row of rows) {
      const result = await client.query(
        `INSERT INTO ${DOCUMENTS_TABLE} (id, label, embedding) VALUES ($1, $2, cube($3::float8[])) ON CONFLICT (id) DO NOTHING`,
        [row.id, row.label, row.embedding],
      );
      inserted += result.rowCount ?? 0;
    }
    await client.query('COMMIT');
    return inserted;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

/**
 * Runs `SELECT 1` on one pooled connection. A failed or timed-out check (the pool's query timeout)
 * discards the connection, so the next check opens a fresh one instead of reading a late response.
 */
export async function pingStore(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('SELECT 1');
    client.release();
  } catch (error) {
    client.release(error as Error);
    throw error;
  }
}

export interface Neighbour {
  id: string;
  label: 'spam' | 'ham' | null;
  distance: number;
}

export async function nearestNeighbours(
  pool: pg.Pool,
  embedding: number[],
  k: number,
): Promise<Neighbour[]> {
  const result = await pool.query<Neighbour>(
    `SELECT id, label, embedding <-> cube($1::float8[]) AS distance FROM ${DOCUMENTS_TABLE} ORDER BY embedding <-> cube($1::float8[]) LIMIT $2`,
    [embedding, k],
  );
  return result.rows.map((row) => ({ ...row, distance: Number(row.distance) }));
}

/** Splits ids into those with a row and those without, keeping the order of the request. */
export async function lookupDocuments(
  pool: pg.Pool,
  ids: string[],
): Promise<{ found: string[]; missing: string[] }> {
  const result = await pool.query<{ id: string }>(
    `SELECT id FROM ${DOCUMENTS_TABLE} WHERE id = ANY($1::text[])`,
    [ids],
  );
  const present = new Set(result.rows.map((row) => row.id));
  return {
    found: ids.filter((id) => present.has(id)),
    missing: ids.filter((id) => !present.has(id)),
  };
}
