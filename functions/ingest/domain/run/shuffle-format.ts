/**
 * What chunk tasks hand to reduce tasks: the shuffle line, the bucket a row goes to, and the
 * version of both (`SHUFFLE_FORMAT`), which a task checks against its run's plan.
 */

import type { IdentityRecord } from '../../../identity/domain/identity';
import type { CuratedRecord } from '../row-processor';
import type { IngestRunDeps } from './deps';
import { failRun } from './failure';
import type { IngestPlan } from './work-layout';

/**
 * Version of what chunk tasks hand to reduce tasks: the shuffle line's fields and the bucket hash.
 * A plan records the version it was made with; a task of another version (a run that a deploy
 * caught half-way) ends the run as failed at once, rather than mixing two layouts, and the file
 * can then be uploaded again. Raise it with any change to either.
 */
export const SHUFFLE_FORMAT = 3;

/**
 * The key's 32-bit FNV-1a hash, modulo the bucket count. Keys carry a keyed pseudonym, already
 * uniformly spread, so a fast non-cryptographic hash spreads them evenly; equal keys always meet in
 * one bucket, which is all deduplication needs.
 */
export function shuffleBucket(key: string, buckets: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return (h >>> 0) % buckets;
}

/**
 * Shuffle lines are `key TAB line TAB quality-key TAB comuna TAB record-json TAB identity-json`:
 * a reducer reads keys without parsing records, and writes a kept row's curated record as the
 * chunk task serialised it. JSON text never holds a raw tab or newline (it escapes them).
 */
export function shuffleLine(
  key: string,
  line: number,
  qualityKey: string,
  record: CuratedRecord,
  identity: IdentityRecord,
): string {
  return `${noTabs(key)}\t${line}\t${noTabs(qualityKey)}\t${noTabs(record.comuna)}\t${JSON.stringify(record)}\t${JSON.stringify(identity)}`;
}

function noTabs(v: string): string {
  return v.includes('\t') || v.includes('\n') ? v.replace(/[\t\n]/g, ' ') : v;
}

interface ShuffleEntry {
  readonly key: string;
  readonly line: number;
  readonly qualityKey: string;
}

export function shuffleEntry(text: string): ShuffleEntry & { readonly rest: number } {
  const a = text.indexOf('\t');
  const b = text.indexOf('\t', a + 1);
  const c = text.indexOf('\t', b + 1);
  if (a < 0 || b < 0 || c < 0) throw new Error('malformed shuffle line');
  return {
    key: text.slice(0, a),
    line: Number(text.slice(a + 1, b)),
    qualityKey: text.slice(b + 1, c),
    rest: c + 1,
  };
}

export function shuffleRow(text: string, rest: number): { comuna: string; record: string; identity: string } {
  const d = text.indexOf('\t', rest);
  const e = text.indexOf('\t', d + 1);
  if (d < 0 || e < 0) throw new Error('malformed shuffle line');
  return { comuna: text.slice(rest, d), record: text.slice(d + 1, e), identity: text.slice(e + 1) };
}

/** The child pseudonym inside a duplicate key (`source|childId|…`). */
export function childIdOfKey(key: string): string {
  const start = key.indexOf('|') + 1;
  const end = key.indexOf('|', start);
  return end < 0 ? key.slice(start) : key.slice(start, end);
}

/**
 * Ends a run planned with another shuffle format (see `SHUFFLE_FORMAT`) as failed in processing,
 * so that uploading the file again starts it afresh. Returns whether the run was ended.
 */
export async function endedForFormat(deps: IngestRunDeps, plan: IngestPlan): Promise<boolean> {
  if (plan.shuffleFormat === SHUFFLE_FORMAT) return false;
  // A stale task of a run that already ended changes nothing.
  if ((await deps.runs.get(plan.runId))?.status !== 'processing') return true;
  await failRun(deps, plan.runId, {
    problem: 'processing-failed',
    message:
      `la ingesta empezó con otra versión del sistema (formato ${plan.shuffleFormat}, ahora ${SHUFFLE_FORMAT}) ` +
      'y no puede terminar; vuelva a subir el archivo',
  });
  return true;
}
