/**
 * Demo data for the local system: on a fresh data folder, a seeded synthetic cut is generated and
 * uploaded to the raw bucket exactly as a ministry data team would upload it; the S3 events that
 * follow drive the whole pipeline.
 */
import { ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { MANIFEST_NAME } from '../functions/ingest/domain/manifest';
import { EXTRACTS_PREFIX } from '../infra/system';
import { generateCut } from '../tools/generate/generator';
import type { LocalSystem } from './runtime';

export interface DemoOptions {
  readonly children: number;
  readonly seed: number;
  readonly cut: string;
}

/** Uploads a generated cut unless extracts are already there; returns the keys uploaded. */
export async function loadDemoData(local: LocalSystem, options: DemoOptions): Promise<string[]> {
  const existing = await local.clients.s3.send(
    // No MaxKeys: s3rver encrypts continuation tokens with a cipher OpenSSL 3 no longer offers.
    new ListObjectsV2Command({ Bucket: local.names.buckets.raw, Prefix: EXTRACTS_PREFIX }),
  );
  if ((existing.KeyCount ?? 0) > 0) return [];
  const generated = generateCut(options);
  const keys: string[] = [];
  // The manifest goes first, so that every file is checked against it.
  await local.clients.s3.send(
    new PutObjectCommand({
      Bucket: local.names.buckets.raw,
      Key: `${EXTRACTS_PREFIX}${generated.cut}/${MANIFEST_NAME}`,
      Body: JSON.stringify(generated.manifest, null, 2),
      ContentType: 'application/json',
    }),
  );
  for (const file of generated.files) {
    const key = `${EXTRACTS_PREFIX}${generated.cut}/${file.name}`;
    await local.clients.s3.send(
      new PutObjectCommand({
        Bucket: local.names.buckets.raw,
        Key: key,
        Body: file.bytes,
        ContentType: file.name.endsWith('.gz') ? 'application/gzip' : `text/csv; charset=${file.encoding}`,
      }),
    );
    keys.push(key);
  }
  return keys;
}
