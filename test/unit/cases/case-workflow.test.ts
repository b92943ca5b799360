import { describe, expect, it } from 'vitest';
import type {
  CaseAction,
  CaseActor,
  CaseFacts,
  CaseState,
} from '../../../functions/cases/domain/case-workflow';
import {
  actionsFor,
  CASE_ACTIONS,
  CASE_STATES,
  CASE_TRANSITIONS,
  CaseWorkflowError,
  FINAL_STATES,
  transition,
} from '../../../functions/cases/domain/case-workflow';
import { ROLES } from '../../../functions/shared/domain/access';
import { thrownBy } from '../thrown';

const AT = '2026-12-07T12:00:00.000Z';
const coordinador: CaseActor = { subject: 'coord-1', role: 'coordinador' };
const gestor: CaseActor = { subject: 'gestor-1', role: 'gestor_casos' };
const terapeuta: CaseActor = { subject: 'terapeuta-1', role: 'terapeuta_familiar' };

/** A case in `state` for which every precondition holds, assigned to `gestor` and `terapeuta`. */
const ready = (state: CaseState, overrides: Partial<CaseFacts> = {}): CaseFacts => ({
  state,
  gestor: gestor.subject,
  terapeuta: terapeuta.subject,
  consentInForce: true,
  ncfasIntake: true,
  ncfasClosing: true,
  pafGoals: 2,
  ...overrides,
});

describe('the case workflow', () => {
  it('walks a case from pre-diagnóstico to egreso through the documented states', () => {
    const path: [CaseAction, CaseState][] = [
      ['iniciar_diagnostico', 'diagnostico'],
      ['elaborar_paf', 'elaboracion_paf'],
      ['ejecutar_paf', 'ejecucion_paf'],
      ['cerrar_paf', 'cierre_paf'],
      ['iniciar_seguimiento', 'seguimiento'],
      ['egresar', 'egreso'],
    ];
    let state: CaseState = 'pre_diagnostico';
    for (const [action, to] of path) {
      const entry = transition(ready(state), action, coordinador, 'motivo registrado', AT);
      expect(entry).toEqual({
        action,
        from: state,
        to,
        by: coordinador,
        at: AT,
        reason: 'motivo registrado',
      });
      state = entry.to;
    }
    expect(FINAL_STATES.has(state)).toBe(true);
  });

  // Every action, from every state it is allowed from, by every role: allowed exactly for the roles of its row.
  for (const action of CASE_ACTIONS) {
    const def = CASE_TRANSITIONS[action];
    for (const from of def.from) {
      for (const role of ROLES) {
        const actor: CaseActor = {
          subject:
            role === 'gestor_casos'
              ? gestor.subject
              : role === 'terapeuta_familiar'
                ? terapeuta.subject
                : `${role}-1`,
          role,
        };
        const allowed = def.roles.includes(role);
        it(`${allowed ? 'lets' : 'refuses'} ${role} ${action} from ${from}`, () => {
          const run = () => transition(ready(from), action, actor, 'motivo', AT);
          if (allowed) expect(run().to).toBe(def.to);
          else expect(thrownBy(CaseWorkflowError, run).problem).toBe('forbidden');
        });
      }
    }
  }

  it('lets a gestor or terapeuta act only on a case assigned to them, and says so', () => {
    const other = ready('diagnostico', { gestor: 'gestor-2', terapeuta: 'terapeuta-2' });
    const e = thrownBy(CaseWorkflowError, () => transition(other, 'elaborar_paf', gestor, null, AT));
    expect(e.problem).toBe('forbidden');
    expect(e.message).toContain('solo en casos asignados a usted');
    expect(
      thrownBy(CaseWorkflowError, () => transition(other, 'elaborar_paf', terapeuta, null, AT)).problem,
    ).toBe('forbidden');
    expect(transition(other, 'elaborar_paf', coordinador, null, AT).to).toBe('elaboracion_paf');
    expect(actionsFor(other, gestor)).toEqual([]);
  });

  it('refuses an action from a state it does not leave, naming the actions that are allowed there', () => {
    const e = thrownBy(CaseWorkflowError, () =>
      transition(ready('pre_diagnostico'), 'egresar', coordinador, 'fin', AT),
    );
    expect(e.problem).toBe('not_allowed_from_state');
    expect(e.allowed).toEqual(['iniciar_diagnostico', 'rechazar_por_gestor', 'rechazar_por_familia']);
    expect(e.message).toContain('no se puede egresar desde pre-diagnóstico');
    expect(e.message).toContain('iniciar el diagnóstico');
  });

  it('leaves a closed case closed', () => {
    for (const state of FINAL_STATES) {
      for (const action of CASE_ACTIONS) {
        const e = thrownBy(CaseWorkflowError, () =>
          transition(ready(state), action, coordinador, 'motivo', AT),
        );
        expect(e.problem).toBe('not_allowed_from_state');
        expect(e.allowed).toEqual([]);
      }
      expect(actionsFor(ready(state), coordinador)).toEqual([]);
    }
  });

  it('asks for a reason where one is required, and records none where it is blank', () => {
    const required = CASE_ACTIONS.filter((a) => CASE_TRANSITIONS[a].reasonRequired);
    expect(required).toEqual(['cerrar_paf', 'egresar', 'rechazar_por_gestor', 'rechazar_por_familia']);
    for (const action of required) {
      const from = CASE_TRANSITIONS[action].from[0] as CaseState;
      for (const reason of [null, '', '   ']) {
        const e = thrownBy(CaseWorkflowError, () => transition(ready(from), action, coordinador, reason, AT));
        expect(e.problem).toBe('reason_required');
        expect(e.message).toContain('debe indicar el motivo');
      }
    }
    expect(transition(ready('pre_diagnostico'), 'iniciar_diagnostico', gestor, '  ', AT).reason).toBeNull();
  });

  it('needs consent and an assigned gestor before diagnóstico, naming every precondition missing', () => {
    const e = thrownBy(CaseWorkflowError, () =>
      transition(
        ready('pre_diagnostico', { gestor: undefined, consentInForce: false }),
        'iniciar_diagnostico',
        coordinador,
        null,
        AT,
      ),
    );
    expect(e.problem).toBe('precondition');
    expect(e.missing).toEqual(['gestor_asignado', 'consentimiento']);
    expect(e.message).toContain('gestor de casos asignado');
    expect(e.message).toContain('consentimiento informado');
  });

  it('needs the NCFAS intake before the PAF, goals before carrying it out, and the closing NCFAS before seguimiento and egreso', () => {
    const cases: [CaseState, CaseAction, Partial<CaseFacts>, string][] = [
      ['diagnostico', 'elaborar_paf', { ncfasIntake: false }, 'ncfas_ingreso'],
      ['diagnostico', 'elaborar_paf', { consentInForce: false }, 'consentimiento'],
      ['elaboracion_paf', 'ejecutar_paf', { pafGoals: 0 }, 'paf_con_metas'],
      ['cierre_paf', 'iniciar_seguimiento', { ncfasClosing: false }, 'ncfas_cierre'],
      ['seguimiento', 'egresar', { ncfasClosing: false }, 'ncfas_cierre'],
    ];
    for (const [state, action, missing, name] of cases) {
      const e = thrownBy(CaseWorkflowError, () =>
        transition(ready(state, missing), action, coordinador, 'motivo', AT),
      );
      expect(e.problem).toBe('precondition');
      expect(e.missing).toEqual([name]);
    }
  });

  it('lets the family refuse at any stage before the PAF is closed, but not after', () => {
    const from = CASE_TRANSITIONS.rechazar_por_familia.from;
    expect(from).toEqual(['pre_diagnostico', 'diagnostico', 'elaboracion_paf', 'ejecucion_paf']);
    for (const state of CASE_STATES.filter((s) => !from.includes(s))) {
      expect(
        thrownBy(CaseWorkflowError, () =>
          transition(ready(state), 'rechazar_por_familia', coordinador, 'no desea', AT),
        ).problem,
      ).toBe('not_allowed_from_state');
    }
  });

  it('lists what each actor may do from a state', () => {
    expect(actionsFor(ready('ejecucion_paf'), terapeuta)).toEqual(['cerrar_paf', 'rechazar_por_familia']);
    expect(actionsFor(ready('seguimiento'), terapeuta)).toEqual([]);
    expect(actionsFor(ready('seguimiento'), gestor)).toEqual(['egresar']);
    expect(actionsFor(ready('diagnostico'), { subject: 'x', role: 'coordinador_regional' })).toEqual([]);
  });
});
