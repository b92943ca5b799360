/**
 * Child process of `npm run bench:ingest`: DuckDB's CSV reader on one thread reads the same file and
 * aggregates it (rows per comuna); prints rows, seconds and peak RSS as JSON.
 */
import { DuckDBInstance } from '@duckdb/node-api';

const [file] = process.argv.slice(2);
if (!file) throw new Error('usage: ingest-duckdb.ts <file>');
const db = await DuckDBInstance.create(':memory:', { threads: '1' });
const connection = await db.connect();
const started = process.hrtime.bigint();
const result = await connection.runAndReadAll(
  `SELECT COMUNA, count(*) AS n FROM read_csv('${file.replace(/'/g, "''")}', delim = ';', header = true, encoding = 'latin-1') GROUP BY COMUNA`,
);
const finished = process.hrtime.bigint();
const rows = result.getRows().reduce((sum, row) => sum + Number(row[1]), 0);
process.stdout.write(
  `${JSON.stringify({ rows, seconds: Number(finished - started) / 1e9, maxRssMb: process.resourceUsage().maxRSS / 1024 })}\n`,
);
