/**
 * The data team's streamed upload against the local S3 stand-in (s3rver): a file larger than a part
 * goes up as a multipart upload, arrives byte for byte, and reports its progress by bytes; the
 * CLI uploads a cut only when every file agrees with its manifest.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashFile, partSizeFor, uploadFile } from '../../tools/cli/upload-file';
import { generateCut } from '../../tools/generate/generator';
import { createRng } from '../../tools/lib/rng';

const BUCKET = 'san-raw';
let server: S3rver;
let endpoint: string;
let s3: S3Client;
const commands: string[] = [];

beforeAll(async () => {
  server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory: mkdtempSync(join(tmpdir(), 'san-s3-')),
  });
  const address = (await server.run()) as { port: number };
  endpoint = `http://127.0.0.1:${address.port}`;
  s3 = new S3Client({
    endpoint,
    forcePathStyle: true,
    region: 'us-east-1',
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  });
  s3.middlewareStack.add(
    (next, context) => async (args) => {
      commands.push(context.commandName as string);
      return next(args);
    },
    { step: 'initialize', name: 'recordCommands' },
  );
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
});

afterAll(async () => {
  s3?.destroy();
  await server?.close();
});

async function objectBytes(key: string): Promise<Buffer> {
  const out = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  return Buffer.from(
    await (out.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray(),
  );
}

describe('uploadFile', () => {
  it('sends a file larger than a part as a multipart upload, whole, with progress by bytes', async () => {
    const rng = createRng(11);
    const bytes = Buffer.alloc(13 * 1024 ** 2 + 17);
    for (let i = 0; i < bytes.length; i++) bytes[i] = rng.int(0, 255);
    const path = join(mkdtempSync(join(tmpdir(), 'san-upload-')), 'rsh.csv');
    writeFileSync(path, bytes);
    commands.length = 0;
    const progress: number[] = [];

    await uploadFile({
      s3,
      bucket: BUCKET,
      key: 'extracts/2026-11/rsh.csv',
      path,
      contentType: 'text/csv',
      partBytes: 5 * 1024 ** 2,
      onProgress: (n) => progress.push(n),
    });

    expect(commands.filter((c) => c === 'UploadPartCommand')).toHaveLength(3);
    expect(commands).toContain('CompleteMultipartUploadCommand');
    expect(commands).not.toContain('PutObjectCommand');
    const stored = await objectBytes('extracts/2026-11/rsh.csv');
    expect(createHash('sha256').update(stored).digest('hex')).toBe(
      createHash('sha256').update(bytes).digest('hex'),
    );
    const between = progress.filter((n) => n > 0 && n < bytes.length);
    expect(between.length).toBeGreaterThanOrEqual(2);
    expect([...progress].sort((a, b) => a - b)).toEqual(progress);
    expect(progress.at(-1)).toBe(bytes.length);
  });

  it('hashes a file as a stream to the SHA-256 of its bytes', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'san-hash-')), 'f.csv');
    const bytes = Buffer.from('RUN;NOMBRE\n'.repeat(300_000));
    writeFileSync(path, bytes);
    const seen: number[] = [];
    const hashed = await hashFile(path, (n) => seen.push(n));
    expect(hashed).toEqual({ sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length });
    expect(seen.length).toBeGreaterThan(1);
  });

  it('raises the part size of a file that would need more than 10,000 parts', () => {
    expect(partSizeFor(1024 ** 3)).toBe(8 * 1024 ** 2);
    expect(partSizeFor(200 * 1024 ** 3)).toBe(Math.ceil((200 * 1024 ** 3) / 10_000));
  });
});

describe('npm run san -- upload', () => {
  // Asynchronous: the S3 stand-in runs in this process and must answer while the CLI runs.
  const san = (...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> =>
    new Promise((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'tools/cli/main.ts', ...args], {
        env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => {
        stdout += d;
      });
      child.stderr.on('data', (d) => {
        stderr += d;
      });
      child.on('close', (status) => resolve({ status, stdout, stderr }));
    });

  function writeCut(cut: string): string {
    const root = mkdtempSync(join(tmpdir(), 'san-cli-upload-'));
    const dir = join(root, 'extracts', cut);
    mkdirSync(dir, { recursive: true });
    const generated = generateCut({ children: 120, seed: 5, cut, sources: ['rsh', 'policia'] });
    for (const f of generated.files) writeFileSync(join(dir, f.name), f.bytes);
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(generated.manifest));
    return root;
  }

  it('uploads the manifest and every file of the cut found below --dir', async () => {
    const root = writeCut('2026-09');
    const result = await san(
      'upload',
      '--dir',
      root,
      '--cut',
      '2026-09',
      '--bucket',
      BUCKET,
      '--endpoint',
      endpoint,
    );
    expect(result.stderr).not.toContain('unknown length');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('subidos manifest.json y 2 archivo(s) a s3://');
    expect(result.stdout).toContain('siga con: npm run san -- status --cut 2026-09');
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'extracts/2026-09/' }));
    expect((listed.Contents ?? []).map((o) => o.Key).sort()).toEqual([
      'extracts/2026-09/manifest.json',
      'extracts/2026-09/policia.csv',
      'extracts/2026-09/rsh.csv',
    ]);
    expect(await objectBytes('extracts/2026-09/rsh.csv')).toEqual(
      readFileSync(join(root, 'extracts', '2026-09', 'rsh.csv')),
    );
  });

  it('uploads nothing when a file differs from its manifest entry', async () => {
    const root = writeCut('2026-08');
    writeFileSync(join(root, 'extracts', '2026-08', 'policia.csv'), 'RUN;X\n');
    const result = await san(
      'upload',
      '--dir',
      root,
      '--cut',
      '2026-08',
      '--bucket',
      BUCKET,
      '--endpoint',
      endpoint,
    );
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('policia.csv: el manifiesto declara');
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'extracts/2026-08/' }));
    expect(listed.Contents ?? []).toEqual([]);
  });
});
