/**
 * Intake from the nómina: the coordinador accepts a roster entry into the OLN (which opens a case in
 * pre-diagnóstico) or discards it with one of the SAN platform's reasons and a note. Discarding is
 * allowed only within 20 calendar days of the child entering the nómina; an entry left without a
 * decision past that is overdue. Every decision is recorded against the score, ventile and model
 * version the child had, so that each automated priority has a person's review on record, and the
 * decisions give each comuna's discard and override rates. Plain functions over plain data.
 */
import type { Origin } from '../../roster/domain/roster';
import type { Role } from '../../shared/domain/access';

/** Days from entering the nómina within which the coordinador may discard a child. */
export const DISCARD_WINDOW_DAYS = 20;

export const DISCARD_REASONS = [
  'atendido_proteccion_especializada',
  'vulneracion_en_curso',
  'medida_proteccion_judicial',
  'no_corresponde',
  'familia_no_ubicable',
  'familia_rechaza',
  'direccion_erronea',
] as const;
export type DiscardReason = (typeof DISCARD_REASONS)[number];

export const DISCARD_REASON_LABELS: Readonly<Record<DiscardReason, string>> = {
  atendido_proteccion_especializada: 'La familia ya es atendida por el servicio de protección especializada',
  vulneracion_en_curso:
    'El niño, niña o adolescente ya sufre una vulneración de derechos: derivar a protección especializada (si es delito, la denuncia es obligatoria)',
  medida_proteccion_judicial: 'Tiene una medida de protección judicial vigente',
  no_corresponde: 'No corresponde',
  familia_no_ubicable: 'No se logra ubicar a la familia',
  familia_rechaza: 'La familia rechaza la intervención o se retira',
  direccion_erronea: 'Dirección errónea o desactualizada',
};

/** Reasons that close the OLN's part but oblige a referral to specialised protection. */
export const REFERRAL_REASONS: ReadonlySet<DiscardReason> = new Set(['vulneracion_en_curso']);

/** What intake reads of a roster entry. */
export interface IntakeEntry {
  readonly childId: string;
  readonly comuna: string;
  readonly origin: Origin;
  /** When the child entered the comuna's nómina (ISO timestamp). */
  readonly enteredAt: string;
  readonly probability?: number;
  readonly ventile?: number;
  readonly modelVersion?: string;
}

export type IntakeDecisionInput =
  | { readonly kind: 'aceptar' }
  | { readonly kind: 'descartar'; readonly reason: DiscardReason; readonly note: string };

/** One recorded decision, with what the model said of the child at the time. */
export interface IntakeDecision {
  readonly childId: string;
  readonly comuna: string;
  readonly kind: 'aceptar' | 'descartar';
  readonly reason: DiscardReason | null;
  readonly note: string | null;
  /** A discard whose reason obliges a referral to specialised protection. */
  readonly referralRequired: boolean;
  readonly origin: Origin;
  readonly probability: number | null;
  readonly ventile: number | null;
  readonly modelVersion: string | null;
  readonly enteredAt: string;
  /** Whole days from entering the nómina to the decision. */
  readonly daysOnRoster: number;
  readonly by: { readonly subject: string; readonly role: Role };
  readonly at: string;
}

export type IntakeProblem = 'forbidden' | 'discard_window_closed' | 'note_required' | 'invalid_date';

export class IntakeError extends Error {
  override readonly name = 'IntakeError';
  constructor(
    readonly problem: IntakeProblem,
    message: string,
  ) {
    super(message);
  }
}

const DAY_MS = 86_400_000;

/** Whole days from `from` to `to` (ISO timestamps), rounded down. */
export function daysBetween(from: string, to: string): number {
  const a = Date.parse(from);
  const b = Date.parse(to);
  if (!Number.isFinite(a) || !Number.isFinite(b)) {
    throw new IntakeError('invalid_date', `fechas no válidas: "${from}", "${to}"`);
  }
  return Math.floor((b - a) / DAY_MS);
}

/** The last moment a discard is accepted: 20 days after entering the nómina. */
export function discardDeadline(enteredAt: string): string {
  const t = Date.parse(enteredAt);
  if (!Number.isFinite(t))
    throw new IntakeError('invalid_date', `fecha de ingreso a la nómina no válida: "${enteredAt}"`);
  return new Date(t + DISCARD_WINDOW_DAYS * DAY_MS).toISOString();
}

/** The roles that decide intake: the coordinador of the comuna (the comuna is checked by the caller). */
export const INTAKE_ROLES: readonly Role[] = ['coordinador'];

/**
 * Records the coordinador's decision on an entry. Refuses another role, a discard after the window
 * (naming the deadline), and a discard without a note.
 */
export function decideIntake(
  entry: IntakeEntry,
  input: IntakeDecisionInput,
  by: { readonly subject: string; readonly role: Role },
  at: string,
): IntakeDecision {
  if (!INTAKE_ROLES.includes(by.role)) {
    throw new IntakeError(
      'forbidden',
      `solo el coordinador de la OLN acepta o descarta niños de la nómina (rol: ${by.role})`,
    );
  }
  const daysOnRoster = daysBetween(entry.enteredAt, at);
  if (input.kind === 'descartar') {
    if (at > discardDeadline(entry.enteredAt)) {
      throw new IntakeError(
        'discard_window_closed',
        `el plazo para descartar vence a los ${DISCARD_WINDOW_DAYS} días de entrar a la nómina (${discardDeadline(entry.enteredAt).slice(0, 10)}); ` +
          `han pasado ${daysOnRoster}: el niño debe aceptarse, o cerrarse su caso con el motivo que corresponda`,
      );
    }
    if (input.note.trim().length === 0) {
      throw new IntakeError(
        'note_required',
        'para descartar debe escribir una nota que explique la decisión',
      );
    }
  }
  return {
    childId: entry.childId,
    comuna: entry.comuna,
    kind: input.kind,
    reason: input.kind === 'descartar' ? input.reason : null,
    note: input.kind === 'descartar' ? input.note.trim() : null,
    referralRequired: input.kind === 'descartar' && REFERRAL_REASONS.has(input.reason),
    origin: entry.origin,
    probability: entry.probability ?? null,
    ventile: entry.ventile ?? null,
    modelVersion: entry.modelVersion ?? null,
    enteredAt: entry.enteredAt,
    daysOnRoster,
    by,
    at,
  };
}

/** Entries with no decision whose discard window has closed, oldest first. */
export function overdueEntries(
  entries: readonly IntakeEntry[],
  decided: ReadonlySet<string>,
  now: string,
): IntakeEntry[] {
  return entries
    .filter((e) => !decided.has(e.childId) && now > discardDeadline(e.enteredAt))
    .sort((a, b) =>
      a.enteredAt < b.enteredAt ? -1 : a.enteredAt > b.enteredAt ? 1 : a.childId < b.childId ? -1 : 1,
    );
}

/**
 * A comuna's intake figures. The discard rate is discards over decisions. An override is a decision
 * that departs from the model's priority: discarding a child the model put on the nómina
 * (`predictivo`), or accepting one it did not (`manual` from an alert, `experto` from a mesa de casos).
 */
export interface IntakeRates {
  readonly decisions: number;
  readonly accepted: number;
  readonly discarded: number;
  readonly discardRate: number | null;
  readonly overrides: number;
  readonly overrideRate: number | null;
  readonly discardsByReason: Readonly<Partial<Record<DiscardReason, number>>>;
}

export function intakeRates(decisions: readonly IntakeDecision[]): IntakeRates {
  const discarded = decisions.filter((d) => d.kind === 'descartar');
  const overrides = decisions.filter(
    (d) =>
      (d.kind === 'descartar' && d.origin === 'predictivo') ||
      (d.kind === 'aceptar' && d.origin !== 'predictivo'),
  ).length;
  const byReason: Partial<Record<DiscardReason, number>> = {};
  for (const d of discarded) if (d.reason) byReason[d.reason] = (byReason[d.reason] ?? 0) + 1;
  const n = decisions.length;
  return {
    decisions: n,
    accepted: n - discarded.length,
    discarded: discarded.length,
    discardRate: n > 0 ? discarded.length / n : null,
    overrides,
    overrideRate: n > 0 ? overrides / n : null,
    discardsByReason: byReason,
  };
}
