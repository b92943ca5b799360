/**
 * A file split into several chunks and buckets comes out of plan, chunk, reduce and finalize as the
 * same curated records and identities a single pass would give, duplicates resolved to the earliest
 * line; a task of a run planned with another shuffle format ends the run.
 */

import { describe, expect, it } from 'vitest';
import { processChunk } from '../../../../functions/ingest/domain/run/chunk';
import { planRun } from '../../../../functions/ingest/domain/run/plan';
import { SHUFFLE_FORMAT } from '../../../../functions/ingest/domain/run/shuffle-format';
import { workKeys } from '../../../../functions/ingest/domain/run/work-layout';
import { checkDigit } from '../../../../functions/shared/domain/run';
import { manifestOf } from '../../fixtures';
import { childOf, HEADER, harness, ingest, pseudonymiser, row } from './harness';

describe('ingest run over chunks and buckets', () => {
  it('writes each accepted row once, the earliest of duplicates, with its identity apart', async () => {
    const bodies = Array.from({ length: 40 }, (_, i) => 20_000_000 + i * 37);
    const lines = [
      HEADER,
      ...bodies.map((b, i) => row(b, 40, i % 3 === 0 ? 'RURAL' : 'URBANA')),
      row(bodies[5] as number, 90, 'URBANA'), // a later duplicate of line 7, with another bracket
      row(30_000_000, 40, 'URBANA', checkDigit(30_000_000) === '1' ? '2' : '1'), // wrong check digit
    ];
    const { plan, report, records, identities, curatedText } = await ingest(
      'rsh.csv',
      `${lines.join('\n')}\n`,
      {
        chunkBytes: 1024,
        reduceBytes: 2048,
      },
    );

    expect(plan.chunks).toBeGreaterThan(2);
    expect(plan.buckets).toBeGreaterThan(1);
    expect(report).toMatchObject({
      status: 'accepted',
      rowsRead: 42,
      accepted: 40,
      rejected: 1,
      duplicates: 1,
    });
    expect(records).toHaveLength(40);
    const byChild = new Map(records.map((r) => [r.childId, r]));
    expect(byChild.size).toBe(40);
    for (const [i, body] of bodies.entries()) {
      expect(byChild.get(childOf(body))).toMatchObject({
        source: 'rsh',
        cut: '2026-10',
        comuna: '13101',
        rshBracket: 40, // the duplicate's 90 lost to the earlier line
        rural: i % 3 === 0,
        householdId: pseudonymiser.household(`F${body % 7}`),
      });
    }
    expect(curatedText).not.toContain('Soto');
    expect(curatedText).not.toContain(String(bodies[0]));
    expect(identities).toHaveLength(40);
    expect(new Set(identities.map((i) => i.childId))).toEqual(new Set(byChild.keys()));
    expect(identities.find((i) => i.childId === childOf(bodies[0] as number))).toMatchObject({
      givenNames: 'Ana María',
      run: expect.stringContaining('-'),
    });
  });

  it('writes one identity per child however many rows and buckets it has', async () => {
    const bodies = Array.from({ length: 10 }, (_, i) => 21_000_000 + i * 101);
    const attentions = ['CONTROL_SANO', 'SALUD_MENTAL', 'URGENCIA'];
    const lines = [
      'RUN;DV;COMUNA;FECHA_ATENCION;FECHA_REGISTRO;TIPO_ATENCION;ESTABLECIMIENTO;DIAGNOSTICO',
      ...bodies.flatMap((b) =>
        attentions.map(
          (a, j) => `${b};${checkDigit(b)};13101;0${j + 1}-09-2026;0${j + 2}-09-2026;${a};CESFAM-1;`,
        ),
      ),
    ];
    lines.push(lines[1] as string); // the same attention delivered twice
    const { plan, report, records, identities } = await ingest('salud.csv', `${lines.join('\n')}\n`, {
      chunkBytes: 512,
      reduceBytes: 512,
    });

    expect(plan.chunks).toBeGreaterThan(1);
    expect(plan.buckets).toBeGreaterThan(2);
    expect(report).toMatchObject({
      status: 'accepted',
      rowsRead: 31,
      accepted: 30,
      rejected: 0,
      duplicates: 1,
    });
    expect(records).toHaveLength(30);
    expect(new Set(records.map((r) => `${r.childId}|${r.attention}`)).size).toBe(30);
    expect(identities.map((i) => i.childId).sort()).toEqual(bodies.map(childOf).sort());
  });
  it('ends a run that a deploy caught half-way, and runs the file afresh when it is uploaded again', async () => {
    const text = `${[HEADER, ...[20_500_000, 20_500_100, 20_500_200].map((b) => row(b, 40, 'URBANA'))].join('\n')}\n`;
    const { deps, upload, drain, queued } = harness({ chunkBytes: 1024, reduceBytes: 2048 });
    const key = upload('rsh.csv', text);
    const first = await planRun(deps, key);
    if (first.status !== 'planned') throw new Error(`not planned: ${first.status}`);
    // The plan as a version of the system with another shuffle format wrote it.
    const planKey = workKeys.plan(first.runId);
    const plan = JSON.parse(deps.work.objects.get(planKey)?.toString('utf8') ?? '{}') as Record<
      string,
      unknown
    >;
    deps.work.objects.set(
      planKey,
      Buffer.from(JSON.stringify({ ...plan, shuffleFormat: SHUFFLE_FORMAT - 1 })),
    );

    const failed = await drain();
    expect(failed).toMatchObject({ status: 'rejected', error: { problem: 'processing-failed' } });
    expect(failed?.error?.message).toMatch(/otra versión del sistema.*vuelva a subir el archivo/);
    expect([...deps.curated.objects.keys()].some((k) => k.includes(`run=${first.runId}/`))).toBe(false);

    // The same S3 event again, or the same bytes uploaded again: a new attempt of the same content.
    const second = await planRun(deps, key);
    expect(second).toMatchObject({ status: 'planned', runId: `${first.runId}-r2` });
    expect(await drain()).toMatchObject({ status: 'accepted', rowsRead: 3, accepted: 3 });
    // A run that ended well is not run again.
    expect(await planRun(deps, key)).toEqual({ status: 'redelivered' });
    // A stale task of the ended first run changes nothing and queues nothing.
    const ended = await deps.runs.get(first.runId);
    await processChunk(deps, first.runId, 0);
    expect(await deps.runs.get(first.runId)).toEqual(ended);
    expect(queued()).toBe(0);
  });

  it('carries an open inconsistency only while its institution sends nothing, and closes it when the institution reports without the record', async () => {
    const { deps, drain } = harness({ chunkBytes: 1024, reduceBytes: 2048 });
    const header =
      'RUN;DV;NOMBRES;APELLIDO_PATERNO;APELLIDO_MATERNO;SEXO;FECHA_NACIMIENTO;NACIONALIDAD;COMUNA;' +
      'CODIGO_PROYECTO;MODELO;CAUSAL_INGRESO;FECHA_INGRESO;FECHA_REGISTRO_INGRESO;CONTACTO_NOMBRE;CONTACTO_RELACION';
    // No contact person: one completeness inconsistency per row.
    const entry = (body: number, project: string): string =>
      `${body};${checkDigit(body)};Ana;Soto;Díaz;F;2015-03-02;Chilena;13101;${project};PPF;NEGLIGENCIA;2026-09-01;2026-09-02;;`;
    const [a, b, c, d] = [22_000_001, 22_000_002, 22_000_003, 22_000_004];
    const cutOf = async (cut: string, rows: string[]) => {
      const key = `extracts/${cut}/proteccion.csv`;
      const bytes = Buffer.from(`${[header, ...rows].join('\n')}\n`);
      deps.raw.objects.set(key, bytes);
      deps.raw.objects.set(
        `extracts/${cut}/manifest.json`,
        Buffer.from(JSON.stringify(manifestOf(cut, [{ name: 'proteccion.csv', bytes }]))),
      );
      const plan = await planRun(deps, key);
      if (plan.status !== 'planned') throw new Error(`not planned: ${plan.status}`);
      await drain();
      const text = (k: string) => deps.curated.objects.get(k)?.toString('utf8') ?? '';
      const quality = JSON.parse(text(`quality/${cut}/proteccion.json`)) as {
        total: { counts: { carried: number } };
        entries: {
          institution: string;
          counts: { rows: number; carried: number };
          scores: { ici: number | null };
        }[];
      };
      const open = text(`quality/${cut}/proteccion.open.ndjson`)
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { k: string; q: string; since: string });
      const childOfKey = (k: string) => k.split('|')[1];
      return {
        carried: quality.total.counts.carried,
        entries: quality.entries,
        open: open.map((o) => [childOfKey(o.k), o.since]).sort(),
      };
    };

    const october = await cutOf('2026-10', [entry(a, 'P1'), entry(b, 'P1'), entry(c, 'P2')]);
    expect(october.open).toHaveLength(3);

    // P1 reports without A's record: A is closed. P2 sends nothing: C is counted again.
    const november = await cutOf('2026-11', [entry(b, 'P1')]);
    expect(november.carried).toBe(1);
    expect(november.open).toEqual(
      [
        [childOf(b), '2026-10'],
        [childOf(c), '2026-10'],
      ].sort(),
    );
    const p2 = november.entries.find((e) => e.institution === 'Proyecto P2');
    expect(p2).toMatchObject({ counts: { rows: 0, carried: 1 }, scores: { ici: null } });

    // P2 reports again, without C's record: C is closed; D is new.
    const december = await cutOf('2026-12', [entry(b, 'P1'), entry(d, 'P2')]);
    expect(december.carried).toBe(0);
    expect(december.open).toEqual(
      [
        [childOf(b), '2026-10'],
        [childOf(d), '2026-12'],
      ].sort(),
    );
  });
});
