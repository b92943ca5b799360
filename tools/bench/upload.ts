/**
 * `npm run bench:upload`: the data team's streamed upload of one large extract (hash pass, then a
 * multipart upload from a read stream to the local S3 stand-in), its peak memory against a
 * reference doing the same bytes' work in the same run: a hash pass, then a plain stream copy of
 * the file to a local file with hashing. Each runs in a fresh process importing the same modules,
 * so the ratio compares working memory over one runtime's baseline. The file size is chosen from
 * the free disk (`df`): the file, s3rver's copy and its parts, and the reference copy must fit.
 *
 *   npm run bench:upload -- [--gib 3] [--dir <folder for the files>]
 */
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { cpus, freemem, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CreateBucketCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { z } from 'zod';
import { hashFile, uploadFile } from '../cli/upload-file';
import { parseFlags, runMain } from '../lib/cli-args';
import { createRng } from '../lib/rng';

const GIB = 1024 ** 3;
const BUCKET = 'san-raw';
/** The file, s3rver's stored object, its parts until the upload completes, and the reference copy. */
const DISK_COPIES = 4;
const DISK_MARGIN = GIB;

const measured = z.object({ maxRssMb: z.number(), seconds: z.number(), sha256: z.string() });

function s3Client(endpoint: string): S3Client {
  return new S3Client({
    endpoint,
    forcePathStyle: true,
    region: 'us-east-1',
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  });
}

/** The work of one measured process; prints its peak RSS as the last line. */
async function childMain(mode: string, file: string, endpoint: string, out: string): Promise<void> {
  const started = performance.now();
  let sha256: string;
  if (mode === 'upload') {
    // As `npm run san -- upload` does: a hashing pass, then the multipart upload.
    sha256 = (await hashFile(file)).sha256;
    const s3 = s3Client(endpoint);
    await uploadFile({
      s3,
      bucket: BUCKET,
      key: 'extracts/2026-11/rsh.csv',
      path: file,
      contentType: 'text/csv',
    });
    s3.destroy();
  } else {
    // The same bytes read twice and written once, with plain streams.
    sha256 = (await hashFile(file)).sha256;
    const hash = createHash('sha256');
    const hashing = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        hash.update(chunk);
        done(null, chunk);
      },
    });
    await pipeline(createReadStream(file, { highWaterMark: 1024 ** 2 }), hashing, createWriteStream(out));
    if (hash.digest('hex') !== sha256) throw new Error('the copy hashed differently');
  }
  const seconds = (performance.now() - started) / 1000;
  process.stdout.write(
    `${JSON.stringify({ maxRssMb: process.resourceUsage().maxRSS / 1024, seconds, sha256 })}\n`,
  );
}

/** Free bytes of the file system holding `dir`, from `df`. */
function freeBytes(dir: string): number {
  const lines = execFileSync('df', ['-Pk', dir], { encoding: 'utf8' }).trim().split('\n');
  const available = Number(lines.at(-1)?.trim().split(/\s+/)[3]);
  if (!Number.isFinite(available)) throw new Error(`could not read the free space of ${dir} from df`);
  return available * 1024;
}

/** Writes `bytes` of CSV-looking rows, streamed: one seeded block of rows repeated. */
async function writeFile(path: string, bytes: number): Promise<void> {
  const rng = createRng(3);
  const rows: string[] = ['RUN;NOMBRES;COMUNA;TRAMO'];
  for (let length = 0; length < 4 * 1024 ** 2; ) {
    const row = `${rng.int(1_000_000, 29_999_999)}-${rng.int(0, 9)};Nombre ${rng.int(1, 99_999)};13101;${rng.int(1, 7)}0`;
    rows.push(row);
    length += row.length + 1;
  }
  const block = Buffer.from(`${rows.join('\n')}\n`, 'latin1');
  async function* content(): AsyncGenerator<Buffer> {
    for (let left = bytes; left > 0; left -= block.length)
      yield left >= block.length ? block : block.subarray(0, left);
  }
  await pipeline(Readable.from(content()), createWriteStream(path));
}

/** Runs a measured child without blocking this process, whose s3rver must keep answering. */
function child(args: string[]): Promise<z.infer<typeof measured>> {
  return new Promise((resolvePromise, reject) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', resolve('tools/bench/upload.ts'), ...args], {
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let stdout = '';
    proc.stdout.on('data', (d) => {
      stdout += d;
    });
    proc.on('close', (code) => {
      if (code !== 0) reject(new Error(`${args[1]} exited with ${code}`));
      else resolvePromise(measured.parse(JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}')));
    });
  });
}

await runMain(async () => {
  const argv = process.argv.slice(2);
  if (argv[0] === '--child') {
    await childMain(argv[1] ?? '', argv[2] ?? '', argv[3] ?? '', argv[4] ?? '');
    return;
  }
  // The SDK's notice that its 2027 releases need Node.js 22 says nothing about this measure.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const flags = parseFlags(
    argv,
    {
      gib: {
        type: 'string',
        description: 'size of the uploaded file in GiB (default 3; less if the disk lacks room)',
      },
      dir: {
        type: 'string',
        description: 'folder for the file and the S3 stand-in (default: the system temp folder)',
      },
    },
    z.object({
      gib: z.coerce.number().min(0.01).max(64).default(3),
      dir: z.string().min(1).default(tmpdir()),
    }),
    'usage: npm run bench:upload -- [--gib 3] [--dir <folder>]',
  );
  const free = freeBytes(flags.dir);
  const wanted = Math.round(flags.gib * GIB);
  const fits = Math.floor((free - DISK_MARGIN) / DISK_COPIES);
  const bytes = Math.min(wanted, fits);
  const gib = (n: number): string => `${(n / GIB).toFixed(2)} GiB`;
  process.stdout.write(
    `disk: ${gib(free)} free in ${flags.dir}; the run needs ${DISK_COPIES} × the file + 1 GiB` +
      (bytes < wanted
        ? `, so the file is ${gib(bytes)} instead of ${gib(wanted)}\n`
        : `; file ${gib(bytes)}\n`),
  );
  if (bytes < 64 * 1024 ** 2) throw new Error(`not enough free disk in ${flags.dir} for a meaningful run`);

  const root = mkdtempSync(join(flags.dir, 'san-bench-upload-'));
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: join(root, 's3') });
  try {
    const file = join(root, 'rsh.csv');
    await writeFile(file, bytes);
    const { port } = (await server.run()) as { port: number };
    const endpoint = `http://127.0.0.1:${port}`;
    const s3 = s3Client(endpoint);
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));

    const reference = await child(['--child', 'reference', file, endpoint, join(root, 'copy.csv')]);
    rmSync(join(root, 'copy.csv'), { force: true });
    const upload = await child(['--child', 'upload', file, endpoint, '']);
    const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'extracts/2026-11/rsh.csv' }));
    s3.destroy();
    if (head.ContentLength !== statSync(file).size) throw new Error('the uploaded object has another size');
    if (upload.sha256 !== reference.sha256) throw new Error('the two runs hashed the file differently');

    const mibps = (seconds: number): string => (bytes / 1024 ** 2 / seconds).toFixed(0);
    const rows = [
      ['', 'peak RSS', 'time', 'file MiB/s'],
      [
        'upload (hash + multipart)',
        `${upload.maxRssMb.toFixed(0)} MB`,
        `${upload.seconds.toFixed(1)} s`,
        mibps(upload.seconds),
      ],
      [
        'reference (hash + copy)',
        `${reference.maxRssMb.toFixed(0)} MB`,
        `${reference.seconds.toFixed(1)} s`,
        mibps(reference.seconds),
      ],
    ];
    process.stdout.write(
      `\nupload of ${gib(bytes)} to s3rver (node ${process.version}, ${cpus().length} cores, ` +
        `${gib(totalmem())} memory, ${gib(freemem())} free, ${new Date().toISOString().slice(0, 10)})\n` +
        rows
          .map(
            (r) =>
              `  ${r[0]?.padEnd(28)}${r
                .slice(1)
                .map((c) => c.padStart(12))
                .join('')}`,
          )
          .join('\n') +
        `\n  peak RSS ratio upload / reference: ${(upload.maxRssMb / reference.maxRssMb).toFixed(2)}` +
        ` (${(upload.maxRssMb - reference.maxRssMb).toFixed(0)} MB more, the parts in flight; the file is ${(bytes / 1024 ** 2).toFixed(0)} MiB)\n`,
    );
  } finally {
    await server.close();
    rmSync(root, { recursive: true, force: true });
  }
});
