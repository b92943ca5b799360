/**
 * The cloud ingest path's tasks over in-memory ports, as the worker runs them: stores, a queue
 * drained in order (a failing task handled as the worker handles its last delivery), and a registry
 * file's header and rows, for the tests of each stage.
 */

import type { IngestTask } from '../../../../functions/ingest/domain/ports';
import type { IngestReport } from '../../../../functions/ingest/domain/report';
import { processChunk } from '../../../../functions/ingest/domain/run/chunk';
import { failRun } from '../../../../functions/ingest/domain/run/failure';
import { finalizeRun } from '../../../../functions/ingest/domain/run/finalize';
import { planRun } from '../../../../functions/ingest/domain/run/plan';
import { publishPart } from '../../../../functions/ingest/domain/run/publish';
import { reduceBucket } from '../../../../functions/ingest/domain/run/reduce';
import { createPseudonymiser } from '../../../../functions/shared/domain/pseudonym';
import { checkDigit } from '../../../../functions/shared/domain/run';
import { manifestOf } from '../../fixtures';
import { MemoryRuns, MemoryStore } from '../memory-ports';

export const HEADER =
  'RUN;DV;NOMBRES;APELLIDO_PATERNO;FECHA_NACIMIENTO;SEXO;FOLIO_HOGAR;TRAMO_RSH;N_PERSONAS_HOGAR;' +
  'N_DORMITORIOS;INGRESO_PER_CAPITA;ESCOLARIDAD_JEFE;JEFATURA_MONOPARENTAL;DISCAPACIDAD_HOGAR;' +
  'PUEBLO_ORIGINARIO;NACIONALIDAD;COMUNA;FECHA_ENCUESTA;ZONA';

export function row(body: number, bracket: number, zone: string, dv = checkDigit(body)): string {
  return `${body};${dv};Ana María;Soto;05-03-2012;F;F${body % 7};${bracket};4;2;120.000;10;S;N;N;Chilena;13101;10-01-2026;${zone}`;
}

export const pseudonymiser = createPseudonymiser('ab'.repeat(32));

interface Identity {
  readonly childId: string;
  readonly run?: string;
  readonly givenNames?: string;
}

/** An identity as the store received it, with the state of the run and the cut at that moment. */
interface IdentityWrite {
  readonly identity: Identity;
  readonly runStatus: string | undefined;
  readonly promoted: boolean;
}

interface DrainOptions {
  /** Tasks that fail on every delivery; they are handled as the worker handles a last delivery. */
  readonly failing?: (task: IngestTask) => boolean;
  /** Every task is delivered twice, as SQS may. */
  readonly twice?: boolean;
}

/** Stores and queue for uploads to cut 2026-10; `drain` runs every queued task in queue order. */
export function harness(sizes: { chunkBytes: number; reduceBytes: number }) {
  const queue: IngestTask[] = [];
  const writes: IdentityWrite[] = [];
  const identities: Identity[] = [];
  const scoreRequests: unknown[] = [];
  const deps = {
    raw: new MemoryStore(),
    work: new MemoryStore(),
    curated: new MemoryStore(),
    runs: new MemoryRuns(),
    tasks: { sendAll: async (t: readonly IngestTask[]) => void queue.push(...t) },
    identities: {
      putAll: async (records: Iterable<Identity> | AsyncIterable<Identity>) => {
        let written = 0;
        for await (const identity of records) {
          writes.push({
            identity,
            runStatus: deps.runs.latest()?.status,
            promoted: [...deps.curated.objects.keys()].some((k) => k.endsWith('/_SUCCESS.json')),
          });
          identities.push(identity);
          written++;
        }
        return { written, olderThanStored: 0 };
      },
    },
    scoreRequests: { sendAll: async (r: readonly unknown[]) => void scoreRequests.push(r) },
    pseudonymiser,
    extractsPrefix: 'extracts/',
    sizes,
  };
  const declared: { name: string; bytes: Buffer }[] = [];
  /** Uploads a file, declared in the cut's manifest as it is (unless `declare` is false). */
  const upload = (file: string, text: string | Buffer, declare = true): string => {
    const key = `extracts/2026-10/${file}`;
    const bytes = Buffer.from(text);
    deps.raw.objects.set(key, bytes);
    if (declare) {
      const others = declared.filter((d) => d.name !== file);
      declared.splice(0, declared.length, ...others, { name: file, bytes });
      deps.raw.objects.set(
        'extracts/2026-10/manifest.json',
        Buffer.from(JSON.stringify(manifestOf('2026-10', declared))),
      );
    }
    return key;
  };
  const run = async (task: IngestTask): Promise<IngestReport | undefined> => {
    if (task.type === 'chunk') await processChunk(deps, task.runId, task.index);
    else if (task.type === 'reduce') await reduceBucket(deps, task.runId, task.bucket);
    else if (task.type === 'publish') {
      const outcome = await publishPart(deps, task.runId, task.bucket, task.part);
      if (outcome.status === 'promoted') return outcome.report;
    } else return finalizeRun(deps, task.runId);
    return undefined;
  };
  const drain = async (options: DrainOptions = {}): Promise<IngestReport | undefined> => {
    let report: IngestReport | undefined;
    for (let task = queue.shift(); task; task = queue.shift()) {
      for (let delivery = 0; delivery < (options.twice ? 2 : 1); delivery++) {
        if (options.failing?.(task)) {
          // As the worker does on a task's last delivery: the run fails, and finalize ends it.
          await failRun(deps, task.runId, {
            problem: 'processing-failed',
            message: `tarea ${task.type} fallida`,
          });
          break;
        }
        report = (await run(task)) ?? report;
      }
    }
    return report;
  };
  return { deps, identities, writes, scoreRequests, upload, drain, queued: (): number => queue.length };
}

/** Uploads `text` as `file` and runs every task the run queues. */
export async function ingest(file: string, text: string, sizes: { chunkBytes: number; reduceBytes: number }) {
  const { deps, identities, upload, drain } = harness(sizes);
  const plan = await planRun(deps, upload(file, text));
  if (plan.status !== 'planned') throw new Error(`not planned: ${plan.status}`);
  const report = await drain();
  const curated = deps.curated.objects;
  const records = [...curated.entries()]
    .filter(([k]) => k.includes('/run=') && k.includes('/comuna='))
    .flatMap(([, bytes]) => bytes.toString('utf8').trim().split('\n'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  const curatedText = [...curated.values()].map((b) => b.toString('utf8')).join('');
  return { plan, report, records, identities, curatedText };
}

export const childOf = (body: number): string => pseudonymiser.child({ body, dv: checkDigit(body) });
