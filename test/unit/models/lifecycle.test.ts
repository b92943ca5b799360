/**
 * The model life cycle, transition by transition: who may make each, the reason it needs, the
 * states it goes from and to, what it records (who, when, why), and the refusals of forbidden
 * transitions, with the current state and what is needed in the message.
 */
import { describe, expect, it } from 'vitest';
import type {
  Actor,
  NewVersion,
  Registry,
  TransitionRequest,
} from '../../../functions/models/domain/lifecycle';
import {
  addVersion,
  approve,
  candidateOf,
  deployedOf,
  EMPTY_REGISTRY,
  ModelRegistryError,
  promote,
  rollback,
  TRANSITIONS,
  toShadow,
} from '../../../functions/models/domain/lifecycle';
import { thrownBy } from '../thrown';

const admin: Actor = { subject: 'ana', role: 'administrador_central' };
const coordinador: Actor = { subject: 'carlos', role: 'coordinador' };
const at = (minute: number): string => `2026-11-10T10:${String(minute).padStart(2, '0')}:00.000Z`;
const req = (minute: number, reason?: string, by: Actor = admin): TransitionRequest => ({
  by,
  at: at(minute),
  ...(reason !== undefined ? { reason } : {}),
});
const version = (name: string, sha = name.slice(-8).padEnd(64, '0')): NewVersion => ({
  version: name,
  fileSha256: sha,
  bytes: 100,
  trainedOn: 'test',
  metrics: { auc: 0.8 },
});
const EVIDENCE = {
  currentCut: '2026-10',
  scoredComunas: ['13101', '08101'],
  reportedComunas: ['13101', '08101'],
};

const A = 'logistic-1-aaaaaaaa';
const B = 'logistic-2-bbbbbbbb';
const C = 'logistic-3-cccccccc';

/** A deployed by the bootstrap, B registered, in shadow and approved. */
function withApprovedB(): Registry {
  let r = addVersion(EMPTY_REGISTRY, 'bootstrap', version(A), {
    by: { subject: 'sistema', role: 'sistema' },
    at: at(0),
  });
  r = addVersion(r, 'register', version(B), req(1));
  r = toShadow(r, B, req(2));
  return approve(r, B, req(3, 'métricas mejores en la sombra'));
}

describe('model life cycle', () => {
  it('bootstraps an empty registry with the deployed version, recorded as the system', () => {
    const r = addVersion(EMPTY_REGISTRY, 'bootstrap', version(A), {
      by: { subject: 'sistema', role: 'sistema' },
      at: at(0),
    });
    expect(deployedOf(r)?.version).toBe(A);
    expect(r.versions[A]?.history).toEqual([
      {
        action: 'bootstrap',
        from: null,
        to: 'deployed',
        by: { subject: 'sistema', role: 'sistema' },
        at: at(0),
        reason: null,
      },
    ]);
    expect(thrownBy(ModelRegistryError, () => addVersion(r, 'bootstrap', version(B), req(1))).problem).toBe(
      'conflict',
    );
  });

  it('registers a version, takes the same file again as it is, and refuses the version with other bytes', () => {
    const r = addVersion(EMPTY_REGISTRY, 'register', version(B), req(1));
    expect(r.versions[B]?.state).toBe('registered');
    expect(r.versions[B]?.registeredAt).toBe(at(1));
    expect(addVersion(r, 'register', version(B), req(2))).toBe(r);
    const other = thrownBy(ModelRegistryError, () =>
      addVersion(r, 'register', version(B, 'f'.repeat(64)), req(2)),
    );
    expect(other.problem).toBe('conflict');
    expect(other.message).toMatch(/la versión logistic-2-bbbbbbbb ya está registrada con otro archivo/);
  });

  it('walks registered → shadow → approved → deployed, recording who, when and why at each step', () => {
    let r = withApprovedB();
    expect(candidateOf(r)?.version).toBe(B);
    r = promote(r, B, req(4, 'aprobado por el comité técnico'), EVIDENCE);
    expect(deployedOf(r)?.version).toBe(B);
    expect(r.versions[A]?.state).toBe('previous');
    expect(candidateOf(r)).toBeUndefined();
    expect(r.versions[B]?.history.map((h) => [h.action, h.from, h.to, h.by.subject, h.at, h.reason])).toEqual(
      [
        ['register', null, 'registered', 'ana', at(1), null],
        ['shadow', 'registered', 'shadow', 'ana', at(2), null],
        ['approve', 'shadow', 'approved', 'ana', at(3), 'métricas mejores en la sombra'],
        ['promote', 'approved', 'deployed', 'ana', at(4), 'aprobado por el comité técnico'],
      ],
    );
    expect(r.versions[A]?.history.at(-1)).toMatchObject({
      action: 'superseded',
      from: 'deployed',
      to: 'previous',
    });
  });

  it('retires the previous version when another is promoted, keeping one previous', () => {
    let r = promote(withApprovedB(), B, req(4, 'primera promoción'), EVIDENCE);
    r = addVersion(r, 'register', version(C), req(5));
    r = approve(toShadow(r, C, req(6)), C, req(7, 'segunda revisión'));
    r = promote(r, C, req(8, 'segunda promoción'), EVIDENCE);
    expect([r.versions[A]?.state, r.versions[B]?.state, r.versions[C]?.state]).toEqual([
      'retired',
      'previous',
      'deployed',
    ]);
  });

  it('rolls back to the previous version in one step, retiring the deployed one with the reason', () => {
    let r = promote(withApprovedB(), B, req(4, 'promovida'), EVIDENCE);
    r = rollback(r, req(5, 'la nómina cambió demasiado'));
    expect(deployedOf(r)?.version).toBe(A);
    expect(r.versions[B]?.state).toBe('retired');
    expect(r.versions[A]?.history.at(-1)).toEqual({
      action: 'rollback',
      from: 'previous',
      to: 'deployed',
      by: admin,
      at: at(5),
      reason: 'la nómina cambió demasiado',
    });
    expect(r.versions[B]?.history.at(-1)).toMatchObject({
      action: 'rolledBack',
      reason: 'la nómina cambió demasiado',
    });
    // Nothing further back: a second rollback is refused.
    const again = thrownBy(ModelRegistryError, () => rollback(r, req(6, 'otra vez atrás')));
    expect(again.problem).toBe('conflict');
    expect(again.message).toMatch(/no hay una versión anterior/);
  });

  it('keeps at most one candidate: a new shadow sends the previous candidate back to registered', () => {
    let r = withApprovedB();
    r = addVersion(r, 'register', version(C), req(4));
    r = toShadow(r, C, req(5));
    expect(candidateOf(r)?.version).toBe(C);
    expect(r.versions[B]?.state).toBe('registered');
    expect(r.versions[B]?.history.at(-1)).toMatchObject({
      action: 'replaced',
      from: 'approved',
      to: 'registered',
    });
  });

  it('refuses forbidden transitions, naming the current state and the one needed', () => {
    let r = addVersion(EMPTY_REGISTRY, 'bootstrap', version(A), {
      by: { subject: 'sistema', role: 'sistema' },
      at: at(0),
    });
    r = addVersion(r, 'register', version(B), req(1));
    const early = thrownBy(ModelRegistryError, () => promote(r, B, req(2, 'sin aprobación'), EVIDENCE));
    expect(early.problem).toBe('conflict');
    expect(early.message).toBe(
      'no se puede promover la versión logistic-2-bbbbbbbb: está registrado, y para promover debe estar aprobado',
    );
    expect(thrownBy(ModelRegistryError, () => approve(r, B, req(2, 'sin sombra'))).message).toMatch(
      /está registrado, y para aprobar debe estar en sombra/,
    );
    expect(thrownBy(ModelRegistryError, () => toShadow(r, A, req(2))).message).toMatch(
      /está desplegado, y para poner en sombra debe estar registrado o retirado/,
    );
    expect(thrownBy(ModelRegistryError, () => approve(r, C, req(2, 'no existe'))).problem).toBe('not_found');
  });

  it('lets only an administrador_central make a transition, and requires a reason for approve, promote and rollback', () => {
    const r = withApprovedB();
    const forbidden = thrownBy(ModelRegistryError, () =>
      promote(r, B, req(4, 'lo decido yo', coordinador), EVIDENCE),
    );
    expect(forbidden.problem).toBe('forbidden');
    expect(forbidden.message).toBe(
      'el rol coordinador no puede promover una versión del modelo: solo administrador_central',
    );
    for (const action of [
      () => promote(r, B, req(4), EVIDENCE),
      () => promote(r, B, req(4, '   '), EVIDENCE),
      () => rollback(r, req(4)),
      () =>
        approve(toShadow(addVersion(EMPTY_REGISTRY, 'register', version(C), req(4)), C, req(5)), C, req(6)),
    ]) {
      const missing = thrownBy(ModelRegistryError, action);
      expect(missing.problem).toBe('invalid');
      expect(missing.message).toMatch(/hay que indicar el motivo/);
    }
    expect(
      Object.entries(TRANSITIONS)
        .filter(([, t]) => t.reasonRequired)
        .map(([a]) => a),
    ).toEqual(['approve', 'promote', 'rollback']);
  });

  it('promotes only with a shadow report on the current cut in every comuna scored on it', () => {
    const r = withApprovedB();
    const none = thrownBy(ModelRegistryError, () =>
      promote(r, B, req(4, 'sin cortes'), { currentCut: undefined, scoredComunas: [], reportedComunas: [] }),
    );
    expect(none.message).toMatch(/aún no se ha puntuado ningún corte/);
    const partial = thrownBy(ModelRegistryError, () =>
      promote(r, B, req(4, 'faltan comunas'), { ...EVIDENCE, reportedComunas: ['13101'] }),
    );
    expect(partial.problem).toBe('conflict');
    expect(partial.message).toMatch(
      /falta su informe en sombra del corte vigente 2026-10 en las comunas 08101/,
    );
  });
});
