/**
 * What `npm start` does about ingest a previous process left half-done. Its queues lived in memory
 * (fauxqs keeps nothing across a restart), so every task queued or running when it stopped — by
 * Ctrl-C or by kill -9 — is gone, and so is an S3 notification whose planning had not finished.
 * Tables and objects persist, so at start:
 *
 * - every run still processing or publishing is resumed: the tasks its record says are not done
 *   are queued again (`resumeInterruptedRuns`); one whose plan is gone is ended as failed, with its
 *   report;
 * - every uploaded extract with neither a report nor a run was caught before its planning
 *   recorded anything: its upload notification is delivered again.
 *
 * Each is said in one line of the start log, in Spanish, for the data team.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoRunStore } from '../functions/ingest/adapters/dynamo-run-store';
import { SqsIngestTaskQueue } from '../functions/ingest/adapters/sqs-queues';
import type { RecoveryOutcome } from '../functions/ingest/domain/run-recovery';
import { resumeInterruptedRuns } from '../functions/ingest/domain/run-recovery';
import { S3ObjectStore } from '../functions/shared/adapters/s3-object-store';
import { cutsInBucket, extractsOfCut } from '../tools/lib/cut-extracts';

export interface IngestRecoveryDeps {
  readonly s3: S3Client;
  readonly dynamodb: DynamoDBClient;
  readonly sqs: SQSClient;
  readonly rawBucket: string;
  readonly workBucket: string;
  readonly runsTable: string;
  readonly tasksQueueUrl: string;
  /** Delivers an S3 ObjectCreated notification for `key` of the raw bucket, as s3rver would. */
  readonly redeliver: (key: string) => void;
  readonly log: (line: string) => void;
}

/** The start-log line for one recovered run. */
export function describeRecovery(outcome: RecoveryOutcome): string {
  const key = outcome.run.objectKey;
  if (outcome.kind === 'failed') {
    return `no se pudo reanudar la ingesta de ${key}: marcada como fallida (${outcome.report.error?.message ?? ''}); informe en ${key}.report.json`;
  }
  if (outcome.run.failure) {
    return `reanudado el cierre de la ingesta de ${key}, que ya había fallado: ${outcome.run.failure.message}`;
  }
  const of = `${outcome.pending} de ${outcome.total}`;
  if (outcome.stage === 'chunk') return `reanudada la ingesta de ${key} (${of} trozos pendientes)`;
  if (outcome.stage === 'reduce') {
    return `reanudada la ingesta de ${key} (${of} tareas de reducción pendientes)`;
  }
  if (outcome.stage === 'publish') {
    return outcome.pending > 0
      ? `reanudada la publicación de identidades de ${key} (${of} partes pendientes)`
      : `reanudada la publicación de identidades de ${key} (falta su promoción)`;
  }
  return `reanudada la ingesta de ${key} (falta su cierre)`;
}

/**
 * Resumes or fails the runs a previous process left active and re-plans uploads it never
 * recorded. Returns the object keys whose ingest goes on, so that their results can be shown.
 */
export async function recoverInterruptedIngest(deps: IngestRecoveryDeps): Promise<string[]> {
  const runs = new DynamoRunStore(
    DynamoDBDocumentClient.from(deps.dynamodb, { marshallOptions: { removeUndefinedValues: true } }),
    deps.runsTable,
  );
  const raw = new S3ObjectStore(deps.s3, deps.rawBucket);
  const outcomes = await resumeInterruptedRuns({
    runs,
    raw,
    work: new S3ObjectStore(deps.s3, deps.workBucket),
    tasks: new SqsIngestTaskQueue(deps.sqs, deps.tasksQueueUrl),
  });
  for (const outcome of outcomes) deps.log(describeRecovery(outcome));
  const recovered = outcomes.map((o) => o.run.objectKey);

  for (const cut of await cutsInBucket(deps.s3, deps.rawBucket)) {
    const unanswered = (await extractsOfCut(deps.s3, deps.rawBucket, cut)).filter((e) => !e.report);
    if (unanswered.length === 0) continue;
    const recorded = new Set((await runs.ofCut(cut)).map((r) => r.objectKey));
    for (const extract of unanswered) {
      if (recorded.has(extract.key)) continue;
      deps.redeliver(extract.key);
      deps.log(`replanificada la ingesta de ${extract.key}: su planificación se había interrumpido`);
      recovered.push(extract.key);
    }
  }
  return recovered;
}
