/**
 * The extracts of a cut as they sit in the raw bucket, each with its ingest report object if it has
 * one, read from a folder listing (`extracts/<cut>/`, delimited, so quarantined rows under
 * `<file>.rejected/` are not listed). Shared by the CLI's `retry` and the local start, which both
 * ask which uploads ingest has not answered.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { EXTRACTS_PREFIX } from '../../infra/system';

export interface StoredObject {
  readonly key: string;
  readonly size: number;
  readonly lastModified: Date;
}

export interface CutExtract extends StoredObject {
  /** The source named by the file (`rsh` for `rsh.csv.gz`). */
  readonly source: string;
  /** The report object next to it, if any. */
  readonly report?: StoredObject;
}

const EXTRACT = /\.csv(\.gz)?$/;

async function listFolder(
  s3: S3Client,
  bucket: string,
  prefix: string,
): Promise<{ objects: StoredObject[]; folders: string[] }> {
  const objects: StoredObject[] = [];
  const folders: string[] = [];
  let token: string | undefined;
  do {
    const out = await s3.send(
      new ListObjectsV2Command({
        Bucket: bucket,
        Prefix: prefix,
        Delimiter: '/',
        ...(token ? { ContinuationToken: token } : {}),
      }),
    );
    for (const o of out.Contents ?? []) {
      if (o.Key) objects.push({ key: o.Key, size: o.Size ?? 0, lastModified: o.LastModified ?? new Date(0) });
    }
    for (const p of out.CommonPrefixes ?? []) if (p.Prefix) folders.push(p.Prefix);
    token = out.IsTruncated ? out.NextContinuationToken : undefined;
  } while (token);
  return { objects, folders };
}

/** The cuts that have a folder under `extracts/`. */
export async function cutsInBucket(s3: S3Client, bucket: string): Promise<string[]> {
  const { folders } = await listFolder(s3, bucket, EXTRACTS_PREFIX);
  return folders.map((f) => f.slice(EXTRACTS_PREFIX.length, -1)).sort();
}

/** The extract files of `cut` (`<source>.csv[.gz]`), by key, each with its report if it has one. */
export async function extractsOfCut(s3: S3Client, bucket: string, cut: string): Promise<CutExtract[]> {
  const { objects } = await listFolder(s3, bucket, `${EXTRACTS_PREFIX}${cut}/`);
  const byKey = new Map(objects.map((o) => [o.key, o]));
  return objects
    .filter((o) => EXTRACT.test(o.key))
    .sort((a, b) => a.key.localeCompare(b.key))
    .map((o) => {
      const report = byKey.get(`${o.key}.report.json`);
      const name = o.key.slice(o.key.lastIndexOf('/') + 1);
      return { ...o, source: name.replace(EXTRACT, ''), ...(report ? { report } : {}) };
    });
}
