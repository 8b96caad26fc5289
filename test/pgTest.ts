/**
 * A PostgreSQL cluster for a test file or suite (scripts/pgCluster.ts starts it
 * with initdb in a temporary folder, on a Unix socket there), and what the
 * rehearsal tests read from it.
 */
import { after, before } from 'node:test';
import pg from 'pg';
import { type Cluster, startCluster } from '../scripts/pgCluster';

/**
 * Starts a cluster before the tests of the enclosing scope and stops it after them, even when they
 * fail. Returns its URL's getter, which throws the reason the cluster could not start (no
 * postgresql package): each test then fails with it, rather than the cancellation a failed hook gives.
 */
export function useCluster(): () => string {
  let cluster: Cluster | undefined;
  let startError: unknown;
  before(
    async () => {
      try {
        cluster = await startCluster();
      } catch (err) {
        startError = err;
      }
    },
    { timeout: 120_000 },
  );
  after(async () => {
    await cluster?.stop();
  });
  return () => {
    if (!cluster) throw startError instanceof Error ? startError : new Error(`no PostgreSQL cluster: ${String(startError)}`);
    return cluster.url;
  };
}

/** The rehearsal's scratch schemas on a server now, sorted. */
export async function scratchSchemas(url: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const r = await client.query<{ nspname: string }>("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'migplan\\_rehearsal\\_%' ORDER BY nspname");
    return r.rows.map((x) => x.nspname);
  } finally {
    await client.end();
  }
}
