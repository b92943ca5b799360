/**
 * Child process of `npm run bench:ingest`: where a row's time goes. The same file is read four
 * times in this process, each pass doing one more of the steps every chunk task does to a row:
 *
 * 1. read, decode and split into fields (the part DuckDB's reader also does);
 * 2. and validate the row against the contract;
 * 3. and pseudonymise the child's RUN with the keyed hash (HMAC-SHA-256);
 * 4. and the rest of the row processor: curated and identity records, household pseudonym,
 *    quality counts, duplicate key, and the shuffle line serialised to JSON.
 *
 * Prints rows and the seconds of each pass as JSON. Writing parts out is left to the full run.
 */
import { createHash } from 'node:crypto';
import { createReadStream, openSync, readSync } from 'node:fs';
import { rshContract } from '../../functions/ingest/domain/contracts';
import {
  DEFAULT_READ_OPTIONS,
  layoutFromHeader,
  readRowBatches,
} from '../../functions/ingest/domain/csv-reader';
import type { QualityTally } from '../../functions/ingest/domain/quality';
import { createRowProcessor } from '../../functions/ingest/domain/row-processor';
import { shuffleLine } from '../../functions/ingest/domain/run/shuffle-format';
import { createPseudonymiser } from '../../functions/shared/domain/pseudonym';

const [file] = process.argv.slice(2);
if (!file) throw new Error('usage: ingest-stages.ts <file>');

const head = Buffer.alloc(64 * 1024);
const fd = openSync(file, 'r');
const got = readSync(fd, head, 0, head.length, 0);
const newline = head.subarray(0, got).indexOf(0x0a);
if (newline < 0) throw new Error(`${file}: no header line in the first 64 KiB`);
const layout = layoutFromHeader(head.subarray(0, newline), 'windows-1252', false, rshContract);
const pseudonymiser = createPseudonymiser(createHash('sha256').update('bench').digest('hex'));
const validate = rshContract.validator(layout.columns);

async function pass(
  perRow: (fields: readonly string[], line: number) => number,
): Promise<{ rows: number; seconds: number; check: number }> {
  const body = createReadStream(file as string, { start: newline + 1, highWaterMark: 1024 * 1024 });
  const started = process.hrtime.bigint();
  let rows = 0;
  let check = 0;
  for await (const batch of readRowBatches(body, layout, DEFAULT_READ_OPTIONS, 2)) {
    for (const row of batch) {
      rows++;
      check += perRow(row.fields, row.line);
    }
  }
  return { rows, seconds: Number(process.hrtime.bigint() - started) / 1e9, check };
}

const parse = await pass((fields) => fields.length);
const validated = await pass((fields) => (validate(fields).ok ? 1 : 0));
const hashed = await pass((fields) => {
  const checked = validate(fields);
  return checked.ok ? pseudonymiser.child(checked.row.run).length : 0;
});
const tally: QualityTally = {};
const processRow = createRowProcessor(rshContract, '2026-10', layout, pseudonymiser, tally);
const processed = await pass((fields, line) => {
  const outcome = processRow({ line, fields });
  if (outcome.kind === 'rejected') return JSON.stringify(outcome.row).length;
  return shuffleLine(outcome.duplicateKey, outcome.line, outcome.qualityKey, outcome.record, outcome.identity)
    .length;
});
if (new Set([parse.rows, validated.rows, hashed.rows, processed.rows]).size !== 1) {
  throw new Error('the passes read different row counts');
}
process.stdout.write(
  `${JSON.stringify({
    rows: parse.rows,
    seconds: processed.seconds,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
    stages: {
      parse: parse.seconds,
      validate: validated.seconds,
      pseudonymise: hashed.seconds,
      process: processed.seconds,
    },
  })}\n`,
);
