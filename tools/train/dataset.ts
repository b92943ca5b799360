/**
 * Turns a generated cut into a training or evaluation set by the same path production data takes:
 * the extracts are ingested with the source contracts, joined per child and turned into indicators
 * with the scoring code. Labels and oracle probabilities come from the ground truth, matched by
 * pseudonym.
 */
import { Readable } from 'node:stream';
import { CONTRACTS } from '../../functions/ingest/domain/contracts';
import type { CuratedRecord } from '../../functions/ingest/domain/ingest-extract';
import { ingestExtract } from '../../functions/ingest/domain/ingest-extract';
import type { CuratedRecords, ModelSource } from '../../functions/score/domain/curated-records';
import {
  MODEL_SOURCE_SCHEMAS,
  MODEL_SOURCES,
  parseNdjson,
} from '../../functions/score/domain/curated-records';
import { FEATURE_COUNT } from '../../functions/score/domain/features';
import { childrenAsOf, computeIndicators } from '../../functions/score/domain/indicators';
import { ageInYears, cutKnowledgeDate } from '../../functions/shared/domain/dates';
import type { Pseudonymiser } from '../../functions/shared/domain/pseudonym';
import { parseRun } from '../../functions/shared/domain/run';
import type { GeneratedCut, GeneratedFile } from '../generate/generator';

export { MODEL_SOURCES };

export interface Dataset {
  readonly rows: number;
  readonly x: Float32Array;
  readonly y: Uint8Array;
  readonly oracle: Float64Array;
  readonly childIds: readonly string[];
  readonly comunas: readonly string[];
  /** Attributes for the bias audit, one entry per row. */
  readonly groups: Readonly<Record<AuditAttribute, readonly string[]>>;
}

export type AuditAttribute = 'sexo' | 'tramo_edad' | 'pueblo_originario' | 'migrante' | 'zona' | 'comuna';

/** The registry's zone as an audit group; a dwelling without a zone is its own group. */
function zoneGroup(rural: boolean | undefined): string {
  if (rural === undefined) return 'sin dato';
  return rural ? 'rural' : 'urbana';
}

function ageGroup(age: number): string {
  if (age < 6) return '0-5';
  if (age < 13) return '6-12';
  return '13-17';
}

/**
 * The curated records of one extract, read by the single pass validation also uses (built from the
 * cloud path's own pieces), grouped by comuna as ingest writes them. A refused file is an error.
 */
export async function curatedRecordsOf(
  file: Pick<GeneratedFile, 'source' | 'name' | 'bytes'>,
  cut: string,
  pseudonymiser: Pseudonymiser,
): Promise<CuratedRecord[]> {
  const result = await ingestExtract({
    contract: CONTRACTS[file.source],
    cut,
    objectKey: file.name,
    body: Readable.from([file.bytes]),
    pseudonymiser,
  });
  if (result.report.status !== 'accepted') throw new Error(`${file.name}: ${result.report.error?.message}`);
  return [...result.partitions.values()].flat();
}

/**
 * The curated records of every model source of a generated cut, as scoring reads them back from
 * storage (NDJSON through each source's schema). A cut without one of the model's sources is an error.
 */
export async function curatedRecordsOfCut(
  generated: GeneratedCut,
  pseudonymiser: Pseudonymiser,
): Promise<CuratedRecords> {
  const records = Object.fromEntries(MODEL_SOURCES.map((source) => [source, [] as unknown[]])) as Record<
    ModelSource,
    unknown[]
  >;
  for (const file of generated.files) {
    const source = file.source;
    if (!(MODEL_SOURCES as readonly string[]).includes(source)) continue;
    const target = records[source as ModelSource];
    const schema = MODEL_SOURCE_SCHEMAS[source as ModelSource];
    const ndjson = (await curatedRecordsOf(file, generated.cut, pseudonymiser))
      .map((r) => JSON.stringify(r))
      .join('\n');
    for (const record of parseNdjson<unknown>(ndjson, schema, file.name)) target.push(record);
  }
  const missing = MODEL_SOURCES.filter((s) => !generated.files.some((f) => f.source === s));
  if (missing.length > 0) throw new Error(`the cut lacks the model's sources: ${missing.join(', ')}`);
  return records as unknown as CuratedRecords;
}

export async function buildDataset(generated: GeneratedCut, pseudonymiser: Pseudonymiser): Promise<Dataset> {
  const asOf = cutKnowledgeDate(generated.cut);
  if (!asOf) throw new Error(`bad cut ${generated.cut}`);
  const records = await curatedRecordsOfCut(generated, pseudonymiser);
  const truth = new Map<string, { p: number; outcome: number }>();
  for (const t of generated.truth) {
    const run = parseRun(t.run);
    if (run.ok) truth.set(pseudonymiser.child(run.run), { p: t.probability, outcome: t.outcome });
  }
  // The same join as scoring: each child's registry survey known at the cut.
  const children = [...childrenAsOf(records, asOf).children.entries()].sort(([a], [b]) => (a < b ? -1 : 1));
  const x = new Float32Array(children.length * FEATURE_COUNT);
  const y = new Uint8Array(children.length);
  const oracle = new Float64Array(children.length);
  const childIds: string[] = [];
  const comunas: string[] = [];
  const groups: Record<AuditAttribute, string[]> = {
    sexo: [],
    tramo_edad: [],
    pueblo_originario: [],
    migrante: [],
    zona: [],
    comuna: [],
  };
  const row = new Float32Array(FEATURE_COUNT);
  let n = 0;
  for (const [childId, sources] of children) {
    const t = truth.get(childId);
    if (!t || !computeIndicators(sources, asOf, row)) continue;
    x.set(row, n * FEATURE_COUNT);
    y[n] = t.outcome;
    oracle[n] = t.p;
    childIds.push(childId);
    comunas.push(sources.rsh.comuna);
    groups.sexo.push(sources.rsh.sex);
    groups.tramo_edad.push(ageGroup(ageInYears(sources.rsh.birthDate, asOf)));
    groups.pueblo_originario.push(sources.rsh.indigenous ? 'sí' : 'no');
    groups.migrante.push(sources.rsh.migrant ? 'sí' : 'no');
    groups.zona.push(zoneGroup(sources.rsh.rural));
    groups.comuna.push(sources.rsh.comuna);
    n++;
  }
  return {
    rows: n,
    x: x.slice(0, n * FEATURE_COUNT),
    y: y.slice(0, n),
    oracle: oracle.slice(0, n),
    childIds,
    comunas,
    groups,
  };
}
