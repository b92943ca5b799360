/**
 * Child process of `npm run bench:planner-memory`: the floor, a plain streaming decompression of
 * the same file counting its line breaks; prints seconds and peak RSS as JSON.
 */
import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';

const [file] = process.argv.slice(2);
if (!file) throw new Error('usage: planner-memory-gunzip.ts <file>');
const started = process.hrtime.bigint();
let lines = 0;
for await (const piece of createReadStream(file).pipe(createGunzip())) {
  const buf = piece as Buffer;
  for (let i = buf.indexOf(10); i !== -1; i = buf.indexOf(10, i + 1)) lines++;
}
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
process.stdout.write(
  `${JSON.stringify({ lines, seconds, maxRssMb: process.resourceUsage().maxRSS / 1024 })}\n`,
);
