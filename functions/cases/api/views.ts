/**
 * A case as the API shows it, in two views: the whole record (`completa`) for the coordinador of
 * its comuna and the gestor and terapeuta assigned to it, and a summary (`resumen`: pseudonyms,
 * states and counts, no free text) for every other role allowed to read the comuna's cases.
 */
import { z } from 'zod';
import type { ChildFacts } from '../../roster/domain/roster';
import { comunaRefSchema } from '../../shared/api/schemas';
import { comunaRef } from '../../shared/domain/comunas';
import type { OlnTeam } from '../../shared/domain/oln-teams';
import { AGREEMENT_STATUSES, isOverdue, MESA_INSTITUTIONS } from '../domain/agreements';
import type { CaseRecord, VersionedCase } from '../domain/case';
import { factsOf } from '../domain/case';
import type { CaseActor } from '../domain/case-workflow';
import {
  actionsFor,
  CASE_ACTIONS,
  CASE_STATE_LABELS,
  CASE_STATES,
  CASE_TRANSITIONS,
  worksTheCase,
} from '../domain/case-workflow';
import { CONSENT_PURPOSES, CONSENT_RELATIONS, consentInForce } from '../domain/consent';
import type { NcfasOutcome } from '../domain/ncfas';
import { NCFAS_KINDS, ncfasOutcome } from '../domain/ncfas';
import { overdueActions, pafAchievement, SESSION_KINDS, SESSION_LIMITS } from '../domain/paf';
import { PROGRAM_CATALOGUE, PROGRAMS, REFERRAL_STATES, suggestPrograms } from '../domain/referrals';

const actorSchema = z.object({ subject: z.string(), role: z.string() });
const roleEnum = z.enum(['gestor_casos', 'terapeuta_familiar']);

const caseSummarySchema = z.object({
  view: z.literal('resumen').meta({ description: 'Resumen: seudónimos, estados y conteos, sin texto libre' }),
  caseId: z.string(),
  comuna: comunaRefSchema,
  childId: z.string(),
  family: z
    .string()
    .meta({ description: 'Seudónimo del hogar: sus niños son una familia para el PAF y la terapia' }),
  origin: z.enum(['predictivo', 'manual', 'experto']),
  state: z.enum(CASE_STATES),
  stateLabel: z.string(),
  openedAt: z.string(),
  gestor: z.string().nullable(),
  terapeuta: z.string().nullable(),
  waiting: z.array(z.object({ role: roleEnum, since: z.string() })),
  ventile: z.number().int().nullable().meta({ description: 'El ventil que el niño tenía al ingresar' }),
  sessions: z.number().int(),
  agreements: z.number().int(),
  overdueAgreements: z.number().int(),
  referrals: z.array(z.object({ program: z.enum(PROGRAMS), state: z.enum(REFERRAL_STATES) })),
  ncfas: z.object({ ingreso: z.boolean(), cierre: z.boolean() }),
  version: z.number().int().meta({ description: 'La versión del caso: su ETag es `"<version>"`' }),
});

const ratingSchema = z.union([z.number().int(), z.enum(['no_aplica', 'sin_informacion'])]);
const ncfasAssessmentSchema = z.object({
  kind: z.enum(NCFAS_KINDS),
  ratings: z.record(z.string(), ratingSchema),
  assessedOn: z.string(),
  by: z.string(),
});

const caseDetailSchema = caseSummarySchema.extend({
  view: z
    .literal('completa')
    .meta({ description: 'El caso completo: para el coordinador y los profesionales asignados' }),
  intake: z.object({
    kind: z.enum(['aceptar', 'descartar']),
    note: z.string().nullable(),
    probability: z.number().nullable(),
    ventile: z.number().int().nullable(),
    modelVersion: z.string().nullable(),
    enteredAt: z.string(),
    daysOnRoster: z.number().int(),
    by: actorSchema,
    at: z.string(),
  }),
  allowedActions: z
    .array(z.object({ action: z.enum(CASE_ACTIONS), label: z.string(), reasonRequired: z.boolean() }))
    .meta({ description: 'Las transiciones que quien consulta puede hacer desde el estado actual' }),
  consents: z.array(
    z.object({
      consentId: z.string(),
      givenByRelation: z.enum(CONSENT_RELATIONS),
      givenOn: z.string(),
      purposes: z.array(z.enum(CONSENT_PURPOSES)),
      signedDocumentRef: z.string(),
      recordedBy: z.string(),
      recordedAt: z.string(),
      withdrawnOn: z.string().nullable(),
      withdrawalNote: z.string().nullable(),
    }),
  ),
  consentInForce: z
    .object({ intervencion: z.boolean(), derivacion: z.boolean(), mesa_de_casos: z.boolean() })
    .meta({ description: 'Para qué usos hay hoy un consentimiento vigente' }),
  ncfasAssessments: z.object({
    ingreso: ncfasAssessmentSchema.nullable(),
    cierre: ncfasAssessmentSchema.nullable(),
  }),
  ncfasOutcome: z
    .object({
      compared: z.number().int(),
      improved: z.number().int(),
      unchanged: z.number().int(),
      worsened: z.number().int(),
      meanChange: z.number().nullable(),
      domains: z.array(
        z.object({
          domain: z.string(),
          intake: ratingSchema,
          closing: ratingSchema,
          change: z.number().nullable(),
        }),
      ),
    })
    .nullable()
    .meta({
      description: 'El cambio por dominio entre las evaluaciones de ingreso y cierre: el resultado del caso',
    }),
  paf: z.object({
    goals: z.array(
      z.object({
        domain: z.string(),
        goal: z.string(),
        achievedPercent: z.number(),
        actions: z.array(
          z.object({
            description: z.string(),
            responsible: z.string(),
            dueOn: z.string(),
            done: z.boolean(),
          }),
        ),
      }),
    ),
    achievement: z.number().nullable().meta({ description: 'Logro del PAF, 0 a 1 (promedio de sus metas)' }),
    overdueActions: z.array(z.object({ goal: z.string(), description: z.string(), dueOn: z.string() })),
  }),
  sessionLog: z.object({
    items: z.array(
      z.object({
        heldOn: z.string(),
        kind: z.enum(SESSION_KINDS),
        attended: z.boolean(),
        notes: z.string().nullable(),
      }),
    ),
    used: z.object({ individual: z.number().int(), grupal: z.number().int() }),
    limits: z.object({ individual: z.number().int(), grupal: z.number().int() }),
  }),
  agreementRows: z.array(
    z.object({
      agreementId: z.string(),
      sessionOn: z.string(),
      agreement: z.string(),
      institution: z.enum(MESA_INSTITUTIONS),
      dueOn: z.string(),
      status: z.enum(AGREEMENT_STATUSES),
      notes: z.string().nullable(),
      overdue: z.boolean(),
    }),
  ),
  referralRows: z.array(
    z.object({
      referralId: z.string(),
      program: z.enum(PROGRAMS),
      programName: z.string(),
      state: z.enum(REFERRAL_STATES),
      withPersonalData: z.boolean(),
      sentOn: z.string(),
      history: z.array(
        z.object({
          to: z.enum(REFERRAL_STATES),
          at: z.string(),
          by: z.string(),
          note: z.string().nullable(),
        }),
      ),
    }),
  ),
  suggestedPrograms: z
    .array(
      z.object({
        program: z.enum(PROGRAMS),
        name: z.string(),
        because: z.string(),
        places: z.number().int().nullable(),
      }),
    )
    .meta({
      description:
        'Programas cuya población objetivo calza con los datos del niño al corte: una sugerencia para el profesional, no una decisión',
    }),
  history: z.array(
    z.object({
      action: z.string(),
      from: z.enum(CASE_STATES).nullable(),
      to: z.enum(CASE_STATES),
      by: actorSchema,
      at: z.string(),
      reason: z.string().nullable(),
    }),
  ),
});

export const caseViewSchema = z.discriminatedUnion('view', [caseDetailSchema, caseSummarySchema]);
export const caseSummaryViewSchema = caseSummarySchema;
export type CaseView = z.input<typeof caseViewSchema>;

/** Whether the actor sees the whole case: the coordinador of its comuna, or a worker assigned to it. */
export function seesWholeCase(actor: CaseActor, c: CaseRecord): boolean {
  return worksTheCase(actor, c);
}

export function summaryOf(
  { record: c, version }: VersionedCase,
  today: string,
): z.input<typeof caseSummarySchema> {
  return {
    view: 'resumen',
    caseId: c.caseId,
    comuna: comunaRef(c.comuna),
    childId: c.childId,
    family: c.family,
    origin: c.origin,
    state: c.state,
    stateLabel: CASE_STATE_LABELS[c.state],
    openedAt: c.openedAt,
    gestor: c.gestor ?? null,
    terapeuta: c.terapeuta ?? null,
    waiting: c.waiting.map((w) => ({ role: w.role, since: w.since })),
    ventile: c.intake.ventile,
    sessions: c.sessions.length,
    agreements: c.agreements.length,
    overdueAgreements: c.agreements.filter((a) => isOverdue(a, today)).length,
    referrals: c.referrals.map((r) => ({ program: r.program, state: r.state })),
    ncfas: { ingreso: c.ncfas.ingreso !== undefined, cierre: c.ncfas.cierre !== undefined },
    version,
  };
}

/** The case as `actor` may see it, on `today` (yyyy-mm-dd). */
export function viewOf(
  stored: VersionedCase,
  actor: CaseActor,
  today: string,
  context: { readonly facts?: ChildFacts; readonly team?: OlnTeam },
): CaseView {
  const c = stored.record;
  const summary = summaryOf(stored, today);
  if (!seesWholeCase(actor, c)) return summary;
  const count = (kind: 'individual' | 'grupal') => c.sessions.filter((s) => s.kind === kind).length;
  const { ingreso, cierre } = c.ncfas;
  return {
    ...summary,
    view: 'completa',
    intake: {
      kind: c.intake.kind,
      note: c.intake.note,
      probability: c.intake.probability,
      ventile: c.intake.ventile,
      modelVersion: c.intake.modelVersion,
      enteredAt: c.intake.enteredAt,
      daysOnRoster: c.intake.daysOnRoster,
      by: c.intake.by,
      at: c.intake.at,
    },
    allowedActions: actionsFor(factsOf(c, today), actor).map((action) => ({
      action,
      label: CASE_TRANSITIONS[action].label,
      reasonRequired: CASE_TRANSITIONS[action].reasonRequired,
    })),
    consents: c.consents.map((r) => ({
      consentId: r.consentId,
      givenByRelation: r.givenByRelation,
      givenOn: r.givenOn,
      purposes: [...r.purposes],
      signedDocumentRef: r.signedDocumentRef,
      recordedBy: r.recordedBy,
      recordedAt: r.recordedAt,
      withdrawnOn: r.withdrawnOn ?? null,
      withdrawalNote: r.withdrawalNote ?? null,
    })),
    consentInForce: Object.fromEntries(
      CONSENT_PURPOSES.map((p) => [p, consentInForce(c.consents, p, today)]),
    ) as Record<(typeof CONSENT_PURPOSES)[number], boolean>,
    ncfasAssessments: { ingreso: ingreso ?? null, cierre: cierre ?? null },
    ncfasOutcome: ingreso && cierre ? outcomeView(ncfasOutcome(ingreso.ratings, cierre.ratings)) : null,
    paf: {
      goals: c.paf.map((g) => ({ ...g, actions: g.actions.map((a) => ({ ...a })) })),
      achievement: pafAchievement(c.paf),
      overdueActions: overdueActions(c.paf, today),
    },
    sessionLog: {
      items: c.sessions.map((s) => ({
        heldOn: s.heldOn,
        kind: s.kind,
        attended: s.attended,
        notes: s.notes ?? null,
      })),
      used: { individual: count('individual'), grupal: count('grupal') },
      limits: { individual: SESSION_LIMITS.individual ?? 0, grupal: SESSION_LIMITS.grupal ?? 0 },
    },
    agreementRows: c.agreements.map((a) => ({
      agreementId: a.agreementId,
      sessionOn: a.sessionOn,
      agreement: a.agreement,
      institution: a.institution,
      dueOn: a.dueOn,
      status: a.status,
      notes: a.notes ?? null,
      overdue: isOverdue(a, today),
    })),
    referralRows: c.referrals.map((r) => ({
      referralId: r.referralId,
      program: r.program,
      programName: PROGRAM_CATALOGUE[r.program].name,
      state: r.state,
      withPersonalData: r.withPersonalData,
      sentOn: r.sentOn,
      history: r.history.map((h) => ({ ...h })),
    })),
    suggestedPrograms: context.facts
      ? suggestPrograms(context.facts).map((s) => ({
          ...s,
          places: context.team?.programPlaces[s.program] ?? null,
        }))
      : [],
    history: c.history.map((h) => ({ ...h, by: { subject: h.by.subject, role: h.by.role } })),
  };
}

function outcomeView(o: NcfasOutcome) {
  return { ...o, domains: o.domains.map((d) => ({ ...d })) };
}
