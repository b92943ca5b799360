/** What ingest needs from the outside world; S3, DynamoDB and SQS adapters implement these. */
import type { Readable } from 'node:stream';
import type { IdentityRecord } from './ingest-extract';

export interface ExtractStore {
  /** The uploaded object's body, or undefined if it no longer exists. */
  open(key: string): Promise<Readable | undefined>;
  putJson(key: string, value: unknown): Promise<void>;
  putLines(key: string, lines: readonly string[]): Promise<void>;
}

export interface CuratedStore {
  putLines(key: string, lines: readonly string[]): Promise<void>;
  putJson(key: string, value: unknown): Promise<void>;
}

export interface IdentityStore {
  putAll(identities: readonly IdentityRecord[]): Promise<void>;
}

export interface ScoreRequest {
  readonly cut: string;
  readonly comuna: string;
}

export interface ScoreRequestQueue {
  sendAll(requests: readonly ScoreRequest[]): Promise<void>;
}

/** Curated layout: `cut=<cut>/source=<source>/comuna=<cut>/part.ndjson`, plus a `_SUCCESS.json` per source. */
export const curatedKeys = {
  partition: (cut: string, source: string, comuna: string): string =>
    `cut=${cut}/source=${source}/comuna=${comuna}/part.ndjson`,
  success: (cut: string, source: string): string => `cut=${cut}/source=${source}/_SUCCESS.json`,
};
