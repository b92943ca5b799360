/**
 * Turns a generated cut into a training or evaluation set by the same path production data takes:
 * the extracts are ingested with the source contracts, joined per child and turned into indicators
 * with the scoring code. Labels and oracle probabilities come from the ground truth, matched by
 * pseudonym.
 */
import { Readable } from 'node:stream';
import type { SourceId } from '../../functions/ingest/domain/contracts';
import { CONTRACTS, isSourceId } from '../../functions/ingest/domain/contracts';
import { ingestExtract } from '../../functions/ingest/domain/ingest-extract';
import {
  educationRecordSchema,
  parseNdjson,
  rshRecordSchema,
} from '../../functions/score/domain/curated-records';
import { FEATURE_COUNT } from '../../functions/score/domain/features';
import type { EducationRecord, RshRecord } from '../../functions/score/domain/indicators';
import { computeIndicators, groupByChild } from '../../functions/score/domain/indicators';
import { ageInYears, cutKnowledgeDate } from '../../functions/shared/domain/dates';
import type { Pseudonymiser } from '../../functions/shared/domain/pseudonym';
import { parseRun } from '../../functions/shared/domain/run';
import type { GeneratedCut } from '../generate/generator';

/** The sources the model's features are computed from. */
export const MODEL_SOURCES: readonly SourceId[] = ['rsh', 'educacion'];

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

export type AuditAttribute = 'sexo' | 'tramo_edad' | 'pueblo_originario' | 'migrante' | 'comuna';

function ageGroup(age: number): string {
  if (age < 6) return '0-5';
  if (age < 13) return '6-12';
  return '13-17';
}

export async function buildDataset(generated: GeneratedCut, pseudonymiser: Pseudonymiser): Promise<Dataset> {
  const asOf = cutKnowledgeDate(generated.cut);
  if (!asOf) throw new Error(`bad cut ${generated.cut}`);
  const rsh: RshRecord[] = [];
  const education: EducationRecord[] = [];
  for (const file of generated.files) {
    const source = file.source;
    if (!MODEL_SOURCES.includes(source)) continue;
    if (!isSourceId(source)) throw new Error(`generated file ${file.name} has no contract`);
    const result = await ingestExtract({
      contract: CONTRACTS[source],
      cut: generated.cut,
      objectKey: file.name,
      body: Readable.from([file.bytes]),
      pseudonymiser,
    });
    if (result.report.status !== 'accepted') throw new Error(`${file.name}: ${result.report.error?.message}`);
    for (const records of result.partitions.values()) {
      const ndjson = records.map((r) => JSON.stringify(r)).join('\n');
      const target: unknown[] = source === 'rsh' ? rsh : education;
      const parsed =
        source === 'rsh'
          ? parseNdjson(ndjson, rshRecordSchema, file.name)
          : parseNdjson(ndjson, educationRecordSchema, file.name);
      for (const record of parsed) target.push(record);
    }
  }
  const truth = new Map<string, { p: number; outcome: number }>();
  for (const t of generated.truth) {
    const run = parseRun(t.run);
    if (run.ok) truth.set(pseudonymiser.child(run.run), { p: t.probability, outcome: t.outcome });
  }
  const children = [...groupByChild(rsh, education).entries()].sort(([a], [b]) => (a < b ? -1 : 1));
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
