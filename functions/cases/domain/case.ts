/**
 * A case: what the OLN does for one child, from its acceptance from the nómina to its end. It keeps
 * its workflow state and history, its workers, the family's consents, both NCFAS assessments, the
 * PAF with its sessions, the mesa de casos agreements and the referrals, in one record with a
 * version, so that every change is written over the version it read (no lost update when two
 * workers edit one case). The children of one registry household form a family (`family`): the PAF
 * and the therapy are per family. Plain functions over plain data.
 */
import type { Origin } from '../../roster/domain/roster';
import type { Agreement } from './agreements';
import type { CaseAction, CaseActor, CaseFacts, CaseHistoryEntry, CaseState } from './case-workflow';
import { transition } from './case-workflow';
import type { ConsentRecord } from './consent';
import { consentInForce } from './consent';
import type { IntakeDecision } from './intake';
import type { NcfasAssessment } from './ncfas';
import type { PafGoal, Session } from './paf';
import type { Program, ReferralState } from './referrals';

export interface Referral {
  readonly referralId: string;
  readonly program: Program;
  readonly state: ReferralState;
  /** Whether the referral carried personal data (only with consent for referrals in force). */
  readonly withPersonalData: boolean;
  readonly sentOn: string;
  readonly history: readonly {
    readonly to: ReferralState;
    readonly at: string;
    readonly by: string;
    readonly note: string | null;
  }[];
}

export interface CaseRecord {
  readonly caseId: string;
  readonly comuna: string;
  readonly childId: string;
  /** The registry household's pseudonym: its children are one family. */
  readonly family: string;
  readonly origin: Origin;
  readonly openedAt: string;
  readonly state: CaseState;
  readonly gestor?: string;
  readonly terapeuta?: string;
  /** The intake decision that opened the case, with the score and ventile the child had. */
  readonly intake: IntakeDecision;
  readonly consents: readonly ConsentRecord[];
  readonly ncfas: { readonly ingreso?: NcfasAssessment; readonly cierre?: NcfasAssessment };
  readonly paf: readonly PafGoal[];
  readonly sessions: readonly Session[];
  readonly agreements: readonly Agreement[];
  readonly referrals: readonly Referral[];
  readonly history: readonly CaseHistoryEntry[];
  /** The waiting lists of its comuna the case is on: for a gestor de casos, a terapeuta familiar. */
  readonly waiting: readonly {
    readonly role: 'gestor_casos' | 'terapeuta_familiar';
    readonly since: string;
  }[];
}

/** A case as stored: its record and the version it was written at (1 for a new case). */
export interface VersionedCase {
  readonly record: CaseRecord;
  readonly version: number;
}

/** Opens the case of an accepted intake decision, in pre-diagnóstico. */
export function openCase(decision: IntakeDecision, caseId: string, family: string): CaseRecord {
  if (decision.kind !== 'aceptar') throw new Error('only an accepted entry opens a case');
  return {
    caseId,
    comuna: decision.comuna,
    childId: decision.childId,
    family,
    origin: decision.origin,
    openedAt: decision.at,
    state: 'pre_diagnostico',
    intake: decision,
    consents: [],
    ncfas: {},
    paf: [],
    sessions: [],
    agreements: [],
    referrals: [],
    waiting: [],
    history: [
      { action: 'abrir', from: null, to: 'pre_diagnostico', by: decision.by, at: decision.at, reason: null },
    ],
  };
}

/** What the workflow reads of the case on `day` (yyyy-mm-dd). */
export function factsOf(c: CaseRecord, day: string): CaseFacts {
  return {
    state: c.state,
    ...(c.gestor !== undefined ? { gestor: c.gestor } : {}),
    ...(c.terapeuta !== undefined ? { terapeuta: c.terapeuta } : {}),
    consentInForce: consentInForce(c.consents, 'intervencion', day),
    ncfasIntake: c.ncfas.ingreso !== undefined,
    ncfasClosing: c.ncfas.cierre !== undefined,
    pafGoals: c.paf.length,
  };
}

/** The case after `action`, with the transition in its history; the workflow's refusals propagate. */
export function applyAction(
  c: CaseRecord,
  action: CaseAction,
  actor: CaseActor,
  reason: string | null,
  at: string,
): CaseRecord {
  const entry = transition(factsOf(c, at.slice(0, 10)), action, actor, reason, at);
  return { ...c, state: entry.to, history: [...c.history, entry] };
}
