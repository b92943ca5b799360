/**
 * Field alerts raised by sectorialistas: the risk factors they can report, the request they send,
 * the message that travels through the queue (pseudonymised: it never carries the RUN), the alert
 * as stored (with the comuna that handles it and the one it was raised in), the alert states of
 * the SAN platform, and how a repeat report of an open alert is recognised.
 */
import { z } from 'zod';
import type { MatchCandidate } from '../../identity/domain/matching';
import type { Role } from '../../shared/domain/access';
import { ROLES } from '../../shared/domain/access';
import { chileDate, parseDate } from '../../shared/domain/dates';
import { hasOffice } from '../../shared/domain/oln-offices';
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
const riskFactorSchema = z.enum(riskFactorCodes, { error: `debe ser uno de: ${riskFactorCodes.join(', ')}` });

/** A date not after today in Chile (a day ahead of UTC at most), as `yyyy-mm-dd` or `dd-mm-yyyy`. */
const pastDate = (what: string) =>
  z
    .string()
    .refine((v) => parseDate(v) !== undefined, 'debe ser una fecha (aaaa-mm-dd o dd-mm-aaaa)')
    .refine((v) => {
      const date = parseDate(v);
      // Checked only once the value is a date.
      return date === undefined || date <= chileDate(new Date());
    }, `no puede ser una fecha futura: ${what}`);

const runSchema = z
  .string()
  // The answer never repeats the RUN or its expected check digit.
  .refine((v) => parseRun(v).ok, 'RUN inválido: formato o dígito verificador incorrecto');

const descriptionSchema = z
  .string()
  .trim()
  .min(10, 'describa lo observado (al menos 10 caracteres)')
  .max(2000)
  .refine((v) => !containsRun(v), 'no escriba RUN en la descripción; el RUN del niño va en su propio campo');

const childFields = {
  givenNames: optionalName,
  paternalSurname: optionalName,
  maternalSurname: optionalName,
  birthDate: pastDate('es la fecha de nacimiento').optional(),
  approximateAge: z
    .number()
    .int('debe ser un número entero de años')
    .min(0)
    .max(17, 'SAN atiende a niños, niñas y adolescentes de 0 a 17 años')
    .optional(),
  address: z.string().trim().min(1).max(160).optional(),
};

interface ChildFields {
  readonly givenNames?: string;
  readonly paternalSurname?: string;
  readonly birthDate?: string;
  readonly approximateAge?: number;
}

const oneAge = {
  check: (c: ChildFields): boolean => c.birthDate === undefined || c.approximateAge === undefined,
  message: 'indique la fecha de nacimiento o la edad aproximada, no ambas',
};

/** True when a report without RUN says enough to look for the child: names, surname and an age. */
const identifiable = (c: ChildFields | undefined): boolean =>
  c?.givenNames !== undefined &&
  c.paternalSurname !== undefined &&
  (c.birthDate !== undefined || c.approximateAge !== undefined);

const UNIDENTIFIED =
  'sin RUN, indique en "child" los nombres (givenNames), el apellido paterno (paternalSurname) y la fecha de nacimiento (birthDate) o la edad aproximada (approximateAge)';

/** The body of `POST /v1/alerts`. */
export const alertRequestSchema = z
  .object({
    /** The child's RUN; without it, `child` must say enough to find the child. */
    run: runSchema.optional(),
    comuna: z.string().refine((c) => hasOffice(c), 'no es una comuna con Oficina Local de la Niñez en SAN'),
    riskFactor: riskFactorSchema,
    description: descriptionSchema,
    urgent: z.boolean().default(false),
    observedAt: pastDate('es cuándo se observó lo que se reporta').optional(),
    reporter: z
      .object({
        institution: z.string().trim().min(2).max(120),
        phone: z.string().trim().max(30).optional(),
      })
      .strict(),
    child: z
      .object(childFields)
      .strict()
      .refine(oneAge.check, { message: oneAge.message, path: ['approximateAge'] })
      .optional(),
  })
  // Strict at every level: a misspelt field is refused rather than silently dropped.
  .strict()
  .refine((r) => r.run !== undefined || identifiable(r.child), { message: UNIDENTIFIED, path: ['child'] });

export type AlertRequest = z.infer<typeof alertRequestSchema>;

/**
 * The queued alert, one schema for both ways in: `POST /v1/alerts` queues the request with who
 * sent it, and institutions (a school system, a health service) write it straight to the queue.
 * It carries the RUN or the child's names (the queue is encrypted); the consumer pseudonymises
 * and matches the child, and only the pseudonym goes further.
 */
export const alertMessageSchema = z
  .object({
    /** A UUID the sender chooses: a message sent twice with one id is one alert. */
    alertId: z.uuid(),
    /** The comuna the reporter raised the alert in. */
    comuna: z.string().refine((c) => hasOffice(c), 'no es una comuna con Oficina Local de la Niñez en SAN'),
    riskFactor: riskFactorSchema,
    description: descriptionSchema,
    urgent: z.boolean(),
    /** `yyyy-mm-dd` once parsed. */
    observedAt: pastDate('es cuándo se observó lo que se reporta')
      .transform((v) => parseDate(v) as string)
      .optional(),
    receivedAt: z.iso.datetime(),
    reporter: z
      .object({
        /** The reporter's user (its token's subject), or the institution system's id. */
        id: z.string().trim().min(1).max(200),
        role: z.enum(ROLES),
        institution: z.string().trim().min(2).max(120),
        phone: z.string().trim().max(30).optional(),
      })
      .strict(),
    child: z
      .object({
        run: runSchema.optional(),
        ...childFields,
        birthDate: pastDate('es la fecha de nacimiento')
          .transform((v) => parseDate(v) as string)
          .optional(),
      })
      .strict()
      .refine(oneAge.check, { message: oneAge.message, path: ['approximateAge'] })
      .refine((c) => c.run !== undefined || identifiable(c), { message: UNIDENTIFIED }),
  })
  .strict();

export type AlertMessage = z.infer<typeof alertMessageSchema>;
/** The message as a sender writes it (dates in either format). */
export type AlertMessageInput = z.input<typeof alertMessageSchema>;

/** How the alert's child was found. */
export const IDENTIFICATION_METHODS = ['run', 'nombres', 'provisional', 'ingesta', 'confirmada'] as const;
export type IdentificationMethod = (typeof IDENTIFICATION_METHODS)[number];

/**
 * How the alert's child was found: by RUN; by names and birth date with certainty (`nombres`); not
 * at all (`provisional`: a provisional child, with the candidates when some came close); merged
 * later into the child a later ingest brought (`ingesta`) or a person at the OLN chose among the
 * candidates (`confirmada`).
 */
export interface AlertIdentification {
  readonly method: IdentificationMethod;
  /** The provisional child the alert was filed under, when it had one. */
  readonly provisionalChildId?: string;
  /** Children who came close, for a person to confirm (provisional alerts only). */
  readonly candidates?: readonly MatchCandidate[];
  readonly at: string;
  readonly by?: AlertActor;
  readonly reason?: string;
}

export interface StoredAlert {
  readonly alertId: string;
  readonly childId: string;
  /**
   * The comuna whose OLN handles the alert and whose roster shows it: where the child is on a
   * roster (see `routing.ts`), else where it was raised.
   */
  readonly comuna: string;
  /** The comuna the reporter raised it in; the same as `comuna` when the child is registered there. */
  readonly raisedInComuna: string;
  readonly riskFactor: RiskFactor;
  readonly description: string;
  readonly urgent: boolean;
  readonly observedAt?: string;
  readonly receivedAt: string;
  readonly reportedBy: { readonly subject: string; readonly role: string; readonly institution: string };
  /** How the child was found (absent on alerts filed before matching: by RUN). */
  readonly identification?: AlertIdentification;
  /** Set (to `provisional`) while the child is provisional: the key of the alerts awaiting identification. */
  readonly awaitingIdentity?: 'provisional';
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
  incoming: Pick<StoredAlert, 'alertId' | 'riskFactor' | 'receivedAt'>,
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
