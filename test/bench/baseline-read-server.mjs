/* global process, URL, Buffer */
// The read baseline of `npm run bench` (scenario R): a bare node:http server, in its own process, that answers
// GET /shoe?id=<uuid> with the `shoes` row as JSON through a pg pool. Started by test/bench/bench.mjs.
import http from 'node:http';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { Pool } = require('pg');

const url = process.env.BASELINE_DATABASE_URL;
const port = Number(process.env.BASELINE_PORT);
const pool = new Pool({ connectionString: url, max: Number(process.env.BASELINE_POOL_SIZE ?? 10) });

const SQL = `SELECT id, name, brand, created_at, updated_at, version, rating_count, rating_sum,
  size_1, size_2, size_3, size_4, size_5 FROM shoes WHERE id = $1`;

const server = http.createServer((req, res) => {
  const id = new URL(req.url ?? '/', 'http://x').searchParams.get('id');
  pool.query(SQL, [id]).then(
    (result) => {
      const body = JSON.stringify(result.rows[0] ?? null);
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    },
    (error) => {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(String(error));
    },
  );
});
server.keepAliveTimeout = 60_000;
server.listen(port, '127.0.0.1', () => process.stdout.write('ready\n'));
process.on('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
  pool.end().finally(() => process.exit(0));
});
