/**
 * The case stores on DynamoDB. `cases`: one item per case (`caseId`) with the record as a document
 * and a `version` number, written with a condition on the version read; the `byComuna` index lists a
 * comuna's cases by opening time. `caseloads`: one item per comuna and worker (`worker` =
 * `<role>#<subject>`) with the string sets `cases` (`<family>|<caseId>`) and `families`; a place is
 * taken by one conditional update that checks the cap on the set's size, and given back by one
 * conditional on the set read, retried when another write came between.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { CaseRecord, VersionedCase } from '../domain/case';
import type {
  CaseListQuery,
  Caseload,
  CaseloadStore,
  CasePage,
  CaseStore,
  CaseWorker,
  ChildCase,
  ClaimOutcome,
  IntakeStore,
} from '../domain/case-store';
import type { IntakeDecision } from '../domain/intake';

/** A stored item that is not what this code writes. */
export class StoredCaseError extends Error {
  override readonly name = 'StoredCaseError';
}

function versioned(item: Record<string, unknown> | undefined, table: string): VersionedCase | undefined {
  if (!item) return undefined;
  const { version, record } = item as { version?: unknown; record?: unknown };
  if (typeof version !== 'number' || typeof record !== 'object' || record === null) {
    throw new StoredCaseError(`a case item of ${table} has no version or record (${String(item.caseId)})`);
  }
  return { record: record as CaseRecord, version };
}

const conditionFailed = (error: unknown): boolean => error instanceof ConditionalCheckFailedException;

export class DynamoCaseStore implements CaseStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(caseId: string): Promise<VersionedCase | undefined> {
    const out = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: { caseId }, ConsistentRead: true }),
    );
    return versioned(out.Item, this.tableName);
  }

  async create(record: CaseRecord): Promise<boolean> {
    return this.put(record, 1, 'attribute_not_exists(caseId)', {});
  }

  async update(record: CaseRecord, version: number): Promise<boolean> {
    return this.put(record, version + 1, 'version = :read', { ':read': version });
  }

  async listByComuna(comuna: string, page: CaseListQuery): Promise<CasePage> {
    const filters = [
      ...(page.state !== undefined ? ['#state = :state'] : []),
      ...(page.worker !== undefined ? ['(gestor = :worker OR terapeuta = :worker)'] : []),
    ];
    const out = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: 'byComuna',
        KeyConditionExpression: 'comuna = :c',
        ...(filters.length > 0 ? { FilterExpression: filters.join(' AND ') } : {}),
        ...(page.state !== undefined ? { ExpressionAttributeNames: { '#state': 'state' } } : {}),
        ExpressionAttributeValues: {
          ':c': comuna,
          ...(page.state !== undefined ? { ':state': page.state } : {}),
          ...(page.worker !== undefined ? { ':worker': page.worker } : {}),
        },
        Limit: page.limit,
        ...(page.cursor ? { ExclusiveStartKey: decodeCursor(page.cursor) } : {}),
      }),
    );
    return {
      cases: (out.Items ?? []).map((i) => versioned(i, this.tableName) as VersionedCase),
      ...(out.LastEvaluatedKey ? { nextCursor: encodeCursor(out.LastEvaluatedKey) } : {}),
    };
  }

  async casesOfChild(childId: string): Promise<readonly ChildCase[]> {
    const items = await this.queryAll({
      IndexName: 'byChild',
      KeyConditionExpression: 'childId = :c',
      ExpressionAttributeValues: { ':c': childId },
    });
    return items.map((i) => ({
      caseId: String(i.caseId),
      comuna: String(i.comuna),
      state: i.state as ChildCase['state'],
      ...(typeof i.gestor === 'string' ? { gestor: i.gestor } : {}),
      ...(typeof i.terapeuta === 'string' ? { terapeuta: i.terapeuta } : {}),
    }));
  }

  async waiting(comuna: string): Promise<readonly VersionedCase[]> {
    const items = await this.queryAll({
      IndexName: 'byWaiting',
      KeyConditionExpression: 'waitingComuna = :c',
      ExpressionAttributeValues: { ':c': comuna },
    });
    return items.map((i) => versioned(i, this.tableName) as VersionedCase);
  }

  private async queryAll(
    query: Omit<ConstructorParameters<typeof QueryCommand>[0], 'TableName'>,
  ): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          ...query,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      items.push(...(out.Items ?? []));
      start = out.LastEvaluatedKey;
    } while (start);
    return items;
  }

  private async put(
    record: CaseRecord,
    version: number,
    condition: string,
    values: Record<string, unknown>,
  ): Promise<boolean> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            caseId: record.caseId,
            comuna: record.comuna,
            childId: record.childId,
            openedAt: record.openedAt,
            state: record.state,
            ...(record.gestor !== undefined ? { gestor: record.gestor } : {}),
            ...(record.terapeuta !== undefined ? { terapeuta: record.terapeuta } : {}),
            ...(record.waiting.length > 0 ? { waitingComuna: record.comuna } : {}),
            version,
            record,
          },
          ConditionExpression: condition,
          ...(Object.keys(values).length > 0 ? { ExpressionAttributeValues: values } : {}),
        }),
      );
      return true;
    } catch (error) {
      if (conditionFailed(error)) return false;
      throw error;
    }
  }
}

function encodeCursor(key: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

function decodeCursor(cursor: string): Record<string, unknown> {
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (typeof key === 'object' && key !== null && !Array.isArray(key)) return key as Record<string, unknown>;
  } catch {
    // Reported below, as for any other shape.
  }
  throw new StoredCaseError('cursor no válido: use el nextCursor de la página anterior');
}

const workerKey = (w: CaseWorker): string => `${w.role}#${w.subject}`;
const member = (family: string, caseId: string): string => `${family}|${caseId}`;

/** Attempts at giving a place back while other writes to the same caseload come between. */
const RELEASE_ATTEMPTS = 8;

export class DynamoCaseloadStore implements CaseloadStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async claim(
    comuna: string,
    worker: CaseWorker,
    caseId: string,
    family: string,
    cap: number,
  ): Promise<ClaimOutcome> {
    // Within the cap, or (for a terapeuta) a family already served; never the same case twice.
    const room =
      worker.role === 'gestor_casos'
        ? '(attribute_not_exists(cases) OR size(cases) < :cap)'
        : '(attribute_not_exists(families) OR size(families) < :cap OR contains(families, :family))';
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { comuna, worker: workerKey(worker) },
          UpdateExpression: 'ADD cases :member, families :families',
          ConditionExpression: `${room} AND (attribute_not_exists(cases) OR NOT contains(cases, :one))`,
          ExpressionAttributeValues: {
            ':member': new Set([member(family, caseId)]),
            ':families': new Set([family]),
            ':one': member(family, caseId),
            ...(worker.role === 'terapeuta_familiar' ? { ':family': family } : {}),
            ':cap': cap,
          },
        }),
      );
      return { claimed: true };
    } catch (error) {
      if (!conditionFailed(error)) throw error;
    }
    // Refused: either the case is already carried (a claim that succeeds) or the cap is reached.
    const item = await this.item(comuna, worker);
    if (item.cases.has(member(family, caseId))) return { claimed: true };
    return { claimed: false, load: { cases: item.cases.size, families: item.families.size } };
  }

  async release(comuna: string, worker: CaseWorker, caseId: string, family: string): Promise<void> {
    const one = member(family, caseId);
    for (let attempt = 0; attempt < RELEASE_ATTEMPTS; attempt++) {
      const item = await this.item(comuna, worker);
      if (!item.cases.has(one)) return;
      const lastOfFamily = ![...item.cases].some((m) => m !== one && m.startsWith(`${family}|`));
      try {
        await this.db.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: { comuna, worker: workerKey(worker) },
            UpdateExpression: lastOfFamily
              ? 'DELETE cases :member, families :families'
              : 'DELETE cases :member',
            // The sets as read: a case of the same family added meanwhile must keep the family.
            ConditionExpression: 'contains(cases, :one) AND size(cases) = :size',
            ExpressionAttributeValues: {
              ':member': new Set([one]),
              ':one': one,
              ':size': item.cases.size,
              ...(lastOfFamily ? { ':families': new Set([family]) } : {}),
            },
          }),
        );
        return;
      } catch (error) {
        if (!conditionFailed(error)) throw error;
      }
    }
    throw new StoredCaseError(
      `could not give back the place of case ${caseId} in ${workerKey(worker)}'s caseload after ${RELEASE_ATTEMPTS} attempts`,
    );
  }

  async load(comuna: string, worker: CaseWorker): Promise<Caseload> {
    const item = await this.item(comuna, worker);
    return { cases: item.cases.size, families: item.families.size };
  }

  private async item(
    comuna: string,
    worker: CaseWorker,
  ): Promise<{ cases: Set<string>; families: Set<string> }> {
    const out = await this.db.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { comuna, worker: workerKey(worker) },
        ConsistentRead: true,
      }),
    );
    const asSet = (v: unknown): Set<string> => (v instanceof Set ? (v as Set<string>) : new Set());
    return { cases: asSet(out.Item?.cases), families: asSet(out.Item?.families) };
  }
}

/** The intake decisions on DynamoDB: one item per comuna and `<childId>#<enteredAt>`. */
export class DynamoIntakeStore implements IntakeStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async record(decision: IntakeDecision): Promise<boolean> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            comuna: decision.comuna,
            entryKey: entryKey(decision.childId, decision.enteredAt),
            decision,
          },
          ConditionExpression: 'attribute_not_exists(entryKey)',
        }),
      );
      return true;
    } catch (error) {
      if (conditionFailed(error)) return false;
      throw error;
    }
  }

  async get(comuna: string, childId: string, enteredAt: string): Promise<IntakeDecision | undefined> {
    const out = await this.db.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { comuna, entryKey: entryKey(childId, enteredAt) },
        ConsistentRead: true,
      }),
    );
    return out.Item?.decision as IntakeDecision | undefined;
  }

  async all(comuna: string): Promise<readonly IntakeDecision[]> {
    const decisions: IntakeDecision[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'comuna = :c',
          ExpressionAttributeValues: { ':c': comuna },
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      for (const item of out.Items ?? []) decisions.push(item.decision as IntakeDecision);
      start = out.LastEvaluatedKey;
    } while (start);
    return decisions;
  }
}

const entryKey = (childId: string, enteredAt: string): string => `${childId}#${enteredAt}`;
