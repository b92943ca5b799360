/**
 * The case stores against the local DynamoDB stand-in (dynalite, in memory), with the tables as
 * `infra/system.ts` defines them: a case is written only over the version read, a comuna's cases
 * are listed in pages, and the caseload caps hold when many assignments arrive at once.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import dynalite from 'dynalite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoCaseloadStore, DynamoCaseStore } from '../../functions/cases/adapters/dynamo-case-store';
import type { CaseRecord } from '../../functions/cases/domain/case';
import { applyAction, openCase } from '../../functions/cases/domain/case';
import { DEFAULT_CASELOAD_CAPS } from '../../functions/cases/domain/caseload';
import { decideIntake } from '../../functions/cases/domain/intake';
import { system } from '../../infra/system';
import { createTableInput } from '../../local/tables';

let server: Server;
let db: DynamoDBDocumentClient;
let cases: DynamoCaseStore;
let loads: DynamoCaseloadStore;

beforeAll(async () => {
  server = dynalite({ createTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const client = new DynamoDBClient({
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  for (const id of ['cases', 'caseloads'] as const)
    await client.send(new CreateTableCommand(createTableInput(id, system.tables[id])));
  db = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  cases = new DynamoCaseStore(db, 'cases');
  loads = new DynamoCaseloadStore(db, 'caseloads');
});

afterAll(async () => {
  db.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const coordinador = { subject: 'coord-1', role: 'coordinador' } as const;

function newCase(caseId: string, comuna = '13101', openedAt = '2026-11-05T10:00:00.000Z'): CaseRecord {
  const decision = decideIntake(
    {
      childId: `n-${caseId}`,
      comuna,
      origin: 'predictivo',
      enteredAt: '2026-11-01T00:00:00.000Z',
      probability: 0.3,
      ventile: 20,
    },
    { kind: 'aceptar' },
    coordinador,
    openedAt,
  );
  return openCase(decision, caseId, `h-${caseId}`);
}

describe('the case store', () => {
  it('creates a case once, and writes a change only over the version it read', async () => {
    const record = newCase('c-1');
    expect(await cases.create(record)).toBe(true);
    expect(await cases.create(record)).toBe(false);
    const read = await cases.get('c-1');
    expect(read?.version).toBe(1);
    expect(read?.record).toEqual(record);

    // Two workers read version 1; the first write wins, the second is refused and changes nothing.
    const first = { ...record, gestor: 'gestor-1' };
    const second = { ...record, gestor: 'gestor-2' };
    expect(await cases.update(first, 1)).toBe(true);
    expect(await cases.update(second, 1)).toBe(false);
    const after = await cases.get('c-1');
    expect(after?.version).toBe(2);
    expect(after?.record.gestor).toBe('gestor-1');
    expect(await cases.get('c-none')).toBeUndefined();
  });

  it('keeps the history of a transition it stores', async () => {
    const record = { ...newCase('c-2'), gestor: 'gestor-1', consents: [] };
    await cases.create(record);
    const moved = applyAction(
      {
        ...record,
        consents: [
          {
            consentId: 'k',
            givenByRelation: 'madre',
            givenOn: '2026-11-05',
            purposes: ['intervencion'],
            signedDocumentRef: 'doc-1',
            recordedBy: 'g',
            recordedAt: '2026-11-05T10:00:00Z',
          },
        ],
      },
      'iniciar_diagnostico',
      coordinador,
      null,
      '2026-11-06T10:00:00.000Z',
    );
    expect(await cases.update(moved, 1)).toBe(true);
    const read = await cases.get('c-2');
    expect(read?.record.state).toBe('diagnostico');
    expect(read?.record.history.map((h) => h.to)).toEqual(['pre_diagnostico', 'diagnostico']);
  });

  it("lists a comuna's cases oldest first, in pages, and no other comuna's", async () => {
    for (let i = 0; i < 5; i++) await cases.create(newCase(`p-${i}`, '04101', `2026-11-1${i}T00:00:00.000Z`));
    await cases.create(newCase('other', '01101'));
    const first = await cases.listByComuna('04101', { limit: 3 });
    expect(first.cases.map((c) => c.record.caseId)).toEqual(['p-0', 'p-1', 'p-2']);
    const rest = await cases.listByComuna('04101', {
      limit: 3,
      ...(first.nextCursor ? { cursor: first.nextCursor } : {}),
    });
    expect(rest.cases.map((c) => c.record.caseId)).toEqual(['p-3', 'p-4']);
  });
});

describe('the caseload store', () => {
  const gestor = { role: 'gestor_casos', subject: 'gestor-cap' } as const;
  const terapeuta = { role: 'terapeuta_familiar', subject: 'terapeuta-cap' } as const;

  it('never lets 60 simultaneous assignments put a gestor over 40 cases', async () => {
    const outcomes = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        loads.claim('13101', gestor, `g-${i}`, `h-${i}`, DEFAULT_CASELOAD_CAPS.gestorCases),
      ),
    );
    expect(outcomes.filter((o) => o.claimed)).toHaveLength(40);
    const refused = outcomes.find((o) => !o.claimed);
    expect(refused && !refused.claimed && refused.load.cases).toBe(40);
    expect((await loads.load('13101', gestor)).cases).toBe(40);
    // Claiming a case already carried succeeds without taking a place; another comuna is another caseload.
    const carried = outcomes.findIndex((o) => o.claimed);
    expect(await loads.claim('13101', gestor, `g-${carried}`, `h-${carried}`, 40)).toEqual({ claimed: true });
    expect((await loads.load('13101', gestor)).cases).toBe(40);
    expect(await loads.claim('04101', gestor, 'g-x', 'h-x', 40)).toEqual({ claimed: true });
  });

  it('gives a place back once a case ends, and offers it to the next', async () => {
    const w = { role: 'gestor_casos', subject: 'gestor-release' } as const;
    for (let i = 0; i < 3; i++) await loads.claim('13101', w, `r-${i}`, `h-${i}`, 3);
    expect((await loads.claim('13101', w, 'r-3', 'h-3', 3)).claimed).toBe(false);
    await loads.release('13101', w, 'r-1', 'h-1');
    await loads.release('13101', w, 'r-1', 'h-1');
    expect((await loads.load('13101', w)).cases).toBe(2);
    expect((await loads.claim('13101', w, 'r-3', 'h-3', 3)).claimed).toBe(true);
  });

  it("caps a terapeuta's families, not cases, under simultaneous assignments", async () => {
    // 40 cases of 30 families (the first 10 families with two children each), at once.
    const claims = Array.from({ length: 40 }, (_, i) => ({ caseId: `t-${i}`, family: `f-${i % 30}` }));
    const outcomes = await Promise.all(
      claims.map((c) =>
        loads.claim('13101', terapeuta, c.caseId, c.family, DEFAULT_CASELOAD_CAPS.terapeutaFamilies),
      ),
    );
    const load = await loads.load('13101', terapeuta);
    expect(load.families).toBe(25);
    const taken = claims.filter((_, i) => outcomes[i]?.claimed);
    expect(new Set(taken.map((c) => c.family)).size).toBe(25);
    expect(load.cases).toBe(taken.length);
    // A sibling of a family served still finds a place; a new family does not.
    const served = taken[0]?.family as string;
    expect((await loads.claim('13101', terapeuta, 't-sibling', served, 25)).claimed).toBe(true);
    expect((await loads.claim('13101', terapeuta, 't-new', 'f-new', 25)).claimed).toBe(false);
    // Releasing one child of a two-child family keeps the family; releasing the last frees it.
    await loads.release('13101', terapeuta, 't-sibling', served);
    expect((await loads.load('13101', terapeuta)).families).toBe(25);
    for (const c of taken.filter((t) => t.family === served))
      await loads.release('13101', terapeuta, c.caseId, c.family);
    expect((await loads.load('13101', terapeuta)).families).toBe(24);
    expect((await loads.claim('13101', terapeuta, 't-new', 'f-new', 25)).claimed).toBe(true);
  });
});
