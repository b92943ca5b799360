/**
 * Field alerts raised by sectorialistas: the risk factors they can report, the request they send,
 * the message that travels through the queue (pseudonymised: it never carries the RUN), the alert
 * as stored (with the comuna that handles it and the one it was raised in), the alert states of
 * the SAN platform, and how a repeat report of an open alert is recognised.
 */
import { z } from 'zod';
import type { Role } from '../../shared/domain/access';
import { isPilotComuna } from '../../shared/domain/comunas';
import { chileDate, parseDate } from '../../shared/domain/dates';
import { parseRun } from '../../shared/domain/run';
import { containsRun } from './run-in-text';

/** Risk factors named by the SAN sources, as codes with the words users see. */
export const RISK_FACTORS = {
  quiebre_familiar: 'Quiebre familiar',
  drogas_o_infraccion: 'Tráfico o consumo problemático de drogas o alcohol, o infracción de ley',
  negligencia_o_violencia: 'Negligencia grave o violencia intrafamiliar',
  salud_sin_atencion: 'Problemas de salud sin diagnóstico, tratamiento o acceso',
  hacinamiento_o_conflicto_vecinal: 'Hacinamiento o conflicto con el vecindario',
  trayectoria_escolar_interrumpida: 'Trayectoria escolar interrumpida, deserción o ausentismo alto',
  embarazo_adolescente: 'Embarazo adolescente',
  enfermedad_psiquiatrica_cuidador: 'Enfermedad psiquiátrica crónica de la persona cuidadora',
  trabajo_infantil_o_explotacion: 'Trabajo infantil o explotación sexual comercial',
  adulto_privado_de_libertad: 'Adulto significativo privado de libertad',
  situacion_de_calle: 'Situación de calle',
} as const;

export type RiskFactor = keyof typeof RISK_FACTORS;

/** A risk factor as answers show it: the stable code for programs and its words for people. */
export interface RiskFactorView {
  readonly code: RiskFactor;
  readonly label: string;
}

/** The view of a stored code; a code this version does not know keeps its code as its words. */
export function riskFactorView(code: string): RiskFactorView {
  const label = (RISK_FACTORS as Readonly<Record<string, string>>)[code];
  return { code: code as RiskFactor, label: label ?? code };
}
const riskFactorCodes = Object.keys(RISK_FACTORS) as [RiskFactor, ...RiskFactor[]];

/** Alert states of the SAN platform. */
export const ALERT_STATES = [
  'sin gestionar',
  'en espera de atención',
  'en ejecución',
  'continúa en monitoreo',
  'resuelta',
  'no resuelta',
  'no corresponde',
] as const;
export type AlertState = (typeof ALERT_STATES)[number];
export const INITIAL_ALERT_STATE: AlertState = 'sin gestionar';

/** What OLN staff do to an alert; the transitions are in `alert-workflow.ts`. */
export const ALERT_ACTIONS = [
  'tomar',
  'iniciar',
  'monitorear',
  'resolver',
  'cerrar_no_resuelta',
  'no_corresponde',
] as const;
export type AlertAction = (typeof ALERT_ACTIONS)[number];

/** Who took an action on an alert. */
export interface AlertActor {
  readonly subject: string;
  readonly role: Role;
}

/** One recorded transition. */
export interface AlertHistoryEntry {
  readonly action: AlertAction;
  readonly from: AlertState;
  readonly to: AlertState;
  readonly by: AlertActor;
  readonly at: string;
  readonly reason: string;
  /** The case the alert was linked to by this transition (`iniciar`). */
  readonly caseId?: string;
}

const optionalName = z.string().trim().min(1).max(80).optional();

/** The body of `POST /v1/alerts`. */
export const alertRequestSchema = z
  .object({
    // The answer never repeats the RUN or its expected check digit.
    run: z.string().refine((v) => parseRun(v).ok, 'RUN inválido: formato o dígito verificador incorrecto'),
    comuna: z.string().refine(isPilotComuna, 'no es una comuna con Oficina Local de la Niñez en SAN'),
    riskFactor: z.enum(riskFactorCodes, { error: `debe ser uno de: ${riskFactorCodes.join(', ')}` }),
    description: z
      .string()
      .trim()
      .min(10, 'describa lo observado (al menos 10 caracteres)')
      .max(2000)
      .refine((v) => !containsRun(v), 'no escriba RUN en la descripción; el del niño va en "run"'),
    urgent: z.boolean().default(false),
    observedAt: z
      .string()
      .refine((v) => parseDate(v) !== undefined, 'debe ser una fecha (aaaa-mm-dd o dd-mm-aaaa)')
      .refine((v) => {
        const date = parseDate(v);
        // Checked only once the value is a date; today is Chile's, a day ahead of UTC at most.
        return date === undefined || date <= chileDate(new Date());
      }, 'no puede ser una fecha futura: es cuándo se observó lo que se reporta')
      .optional(),
    reporter: z
      .object({
        institution: z.string().trim().min(2).max(120),
        phone: z.string().trim().max(30).optional(),
      })
      .strict(),
    child: z
      .object({
        givenNames: optionalName,
        paternalSurname: optionalName,
        maternalSurname: optionalName,
        address: z.string().trim().min(1).max(160).optional(),
      })
      .strict()
      .optional(),
  })
  // Strict at every level: a misspelt field is refused rather than silently dropped.
  .strict();

export type AlertRequest = z.infer<typeof alertRequestSchema>;

/** The queued alert: personal data replaced by the child's pseudonym. */
export const alertMessageSchema = z.object({
  alertId: z.uuid(),
  childId: z.string().regex(/^n-[A-Za-z0-9_-]{22}$/),
  /** The comuna the reporter raised the alert in (the request's `comuna`). */
  comuna: z.string().refine(isPilotComuna),
  riskFactor: z.enum(riskFactorCodes),
  description: z.string().max(2000),
  urgent: z.boolean(),
  observedAt: z.string().optional(),
  receivedAt: z.iso.datetime(),
  reportedBy: z.object({ subject: z.string(), role: z.string(), institution: z.string() }),
});

export type AlertMessage = z.infer<typeof alertMessageSchema>;

export interface StoredAlert extends Omit<AlertMessage, 'comuna'> {
  /**
   * The comuna whose OLN handles the alert and whose roster shows it: where the child is on a
   * roster (see `routing.ts`), else where it was raised.
   */
  readonly comuna: string;
  /** The comuna the reporter raised it in; the same as `comuna` when the child is registered there. */
  readonly raisedInComuna: string;
  readonly state: AlertState;
  /** Set when this alert repeats an open alert of the same child and risk factor. */
  readonly repeatOf?: string;
  /** Counts the alert's writes: a change is written only over the version it read (absent: 1). */
  readonly version?: number;
  /** Every transition, oldest first (`alert-workflow.ts`). */
  readonly history?: readonly AlertHistoryEntry[];
  /** The case that handles the alert, from the time it was put in ejecución. */
  readonly caseId?: string;
  /** When a person at the OLN first acted on it. */
  readonly acknowledgedAt?: string;
  /** When it reached a closing state. */
  readonly closedAt?: string;
  /**
   * Set (to `urgente`) on an urgent alert until a person at the OLN first acts on it: the key of
   * the alerts waiting for escalation, absent from every other alert.
   */
  readonly awaitingAck?: 'urgente';
  /** When it was escalated to the coordinador regional. */
  readonly escalatedAt?: string;
}

/** States an alert is worked in; the others close it. */
export const OPEN_STATES: ReadonlySet<AlertState> = new Set([
  'sin gestionar',
  'en espera de atención',
  'en ejecución',
  'continúa en monitoreo',
]);

export const isOpen = (state: AlertState): boolean => OPEN_STATES.has(state);

/** The open alert that `incoming` repeats (same child, same risk factor), if any; the oldest wins. */
export function findRepeatedAlert(
  existing: readonly StoredAlert[],
  incoming: AlertMessage,
): StoredAlert | undefined {
  return existing
    .filter(
      (a) =>
        a.alertId !== incoming.alertId &&
        a.repeatOf === undefined &&
        a.riskFactor === incoming.riskFactor &&
        OPEN_STATES.has(a.state) &&
        a.receivedAt <= incoming.receivedAt,
    )
    .sort((a, b) => (a.receivedAt < b.receivedAt ? -1 : 1))[0];
}
