/** Reading NDJSON and other line-per-record objects from an object store, one line at a time. */
import { createInterface } from 'node:readline';
import type { ObjectStore } from '../../shared/domain/object-store';

/** The object's non-empty lines, streamed; throws if the object does not exist. */
export async function* linesOf(store: ObjectStore, key: string): AsyncGenerator<string> {
  const body = await store.open(key);
  if (!body) throw new Error(`object ${key} vanished`);
  for await (const line of createInterface({ input: body, crlfDelay: Number.POSITIVE_INFINITY })) {
    if (line) yield line;
  }
}
