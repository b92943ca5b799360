/**
 * The S3 object store's puts through a real S3 client whose HTTP handler records the requests: every
 * put carries Content-Length, so the client never warns of a "Stream of unknown length".
 */
import { Readable } from 'node:stream';
import { S3Client } from '@aws-sdk/client-s3';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { S3ObjectStore, sizedBody } from '../../../functions/shared/adapters/s3-object-store';

/** What the test reads of a request the client sends. */
type HttpRequest = { readonly headers: Record<string, string> };

function recordingStore(): { store: S3ObjectStore; requests: HttpRequest[]; warnings: string[] } {
  const requests: HttpRequest[] = [];
  const warnings: string[] = [];
  const s3 = new S3Client({
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    logger: { debug() {}, info() {}, warn: (m: string) => warnings.push(String(m)), error() {} },
    requestHandler: {
      handle: async (request: HttpRequest) => {
        requests.push(request);
        return { response: { statusCode: 200, headers: {}, body: Readable.from([]) } };
      },
    },
  });
  return { store: new S3ObjectStore(s3, 'bucket'), requests, warnings };
}

const contentLength = (r: HttpRequest | undefined): string | undefined =>
  r?.headers['content-length'] ?? r?.headers['Content-Length'];

describe('S3ObjectStore puts', () => {
  afterEach(() => vi.restoreAllMocks());

  it('sends Content-Length for an empty line list, lines, bytes and JSON, and the client warns of nothing', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const { store, requests, warnings } = recordingStore();

    await store.putLines('empty.ndjson', []);
    await store.putLines('lines.ndjson', ['{"a":"ñ"}']);
    await store.putBytes('chunk.bin', Buffer.alloc(70_000, 1));
    await store.putLines('sub.ndjson', Buffer.from('abcdef').subarray(0, 0));
    await store.putJson('report.json', { name: 'Peñalolén' });

    expect(requests.map(contentLength)).toEqual([
      '0',
      String(Buffer.byteLength('{"a":"ñ"}\n')),
      '70000',
      '0',
      String(Buffer.byteLength(`${JSON.stringify({ name: 'Peñalolén' }, null, 2)}\n`)),
    ]);
    expect(warnings.filter((w) => w.includes('unknown length'))).toEqual([]);
    expect(warn).not.toHaveBeenCalled();
  });
});

describe('sizedBody', () => {
  it('measures strings in UTF-8 bytes and buffers by their length', async () => {
    expect((await sizedBody('ñandú')).length).toBe(7);
    expect((await sizedBody(Buffer.alloc(3))).length).toBe(3);
  });

  it('buffers a stream so that its length is known', async () => {
    const sized = await sizedBody(Readable.from([Buffer.from('abc'), Buffer.from('de')]));
    expect(sized.length).toBe(5);
    expect(Buffer.from(sized.body as Uint8Array).toString()).toBe('abcde');
    expect((await sizedBody(Readable.from([]))).length).toBe(0);
  });
});
