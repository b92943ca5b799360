/**
 * NCFAS (North Carolina Family Assessment Scale) as the SAN platform uses it: a family is rated in
 * ten domains at intake and at closure, each on a six-point scale from clear strength (+2) to serious
 * problem (−3), or marked not applicable or without information. The change per domain between the
 * two assessments is the case's outcome. Plain functions over plain data.
 */
import { z } from 'zod';

export const NCFAS_DOMAINS = [
  'entorno',
  'capacidades_parentales',
  'interacciones_familiares',
  'seguridad_familiar',
  'bienestar_nino',
  'vida_social_comunitaria',
  'autosuficiencia',
  'salud_familiar',
  'ambivalencia_cuidador_nino',
  'preparacion_reunificacion',
] as const;
export type NcfasDomain = (typeof NCFAS_DOMAINS)[number];

export const NCFAS_DOMAIN_LABELS: Readonly<Record<NcfasDomain, string>> = {
  entorno: 'Entorno',
  capacidades_parentales: 'Capacidades parentales',
  interacciones_familiares: 'Interacciones familiares',
  seguridad_familiar: 'Seguridad familiar',
  bienestar_nino: 'Bienestar del niño, niña o adolescente',
  vida_social_comunitaria: 'Vida social y comunitaria',
  autosuficiencia: 'Autosuficiencia',
  salud_familiar: 'Salud familiar',
  ambivalencia_cuidador_nino: 'Ambivalencia cuidador-niño',
  preparacion_reunificacion: 'Preparación para la reunificación',
};

/** The scale's points, strongest first. */
export const NCFAS_SCALE = [2, 1, 0, -1, -2, -3] as const;
export type NcfasScore = (typeof NCFAS_SCALE)[number];

export const NCFAS_SCALE_LABELS: Readonly<Record<`${NcfasScore}`, string>> = {
  '2': 'fortaleza clara',
  '1': 'fortaleza leve',
  '0': 'línea base / adecuado',
  '-1': 'problema leve',
  '-2': 'problema moderado',
  '-3': 'problema serio',
};

/** A domain rated on the scale, or one of the two ways of not rating it. */
export type NcfasRating = NcfasScore | 'no_aplica' | 'sin_informacion';

export const NCFAS_KINDS = ['ingreso', 'cierre'] as const;
export type NcfasKind = (typeof NCFAS_KINDS)[number];

const ratingSchema = z.union([z.literal(NCFAS_SCALE), z.literal(['no_aplica', 'sin_informacion'])], {
  error: `debe ser un punto de la escala (${NCFAS_SCALE.join(', ')}), "no_aplica" o "sin_informacion"`,
});

/** The ten ratings of one assessment: every domain, none other. */
export const ncfasRatingsSchema = z.strictObject(
  Object.fromEntries(NCFAS_DOMAINS.map((d) => [d, ratingSchema])) as Record<NcfasDomain, typeof ratingSchema>,
);
export type NcfasRatings = Readonly<Record<NcfasDomain, NcfasRating>>;

/** One recorded assessment. */
export interface NcfasAssessment {
  readonly kind: NcfasKind;
  readonly ratings: NcfasRatings;
  /** The day the family was assessed (yyyy-mm-dd). */
  readonly assessedOn: string;
  readonly by: string;
}

/** A domain's outcome: both ratings and, when both are on the scale, the change (positive is better). */
export interface NcfasDomainChange {
  readonly domain: NcfasDomain;
  readonly intake: NcfasRating;
  readonly closing: NcfasRating;
  readonly change: number | null;
}

export interface NcfasOutcome {
  readonly domains: readonly NcfasDomainChange[];
  /** Domains rated on the scale in both assessments, and how many of those improved or worsened. */
  readonly compared: number;
  readonly improved: number;
  readonly unchanged: number;
  readonly worsened: number;
  /** Mean change over the compared domains; null when none can be compared. */
  readonly meanChange: number | null;
}

const isScore = (r: NcfasRating): r is NcfasScore => typeof r === 'number';

/** The case's outcome: the change in every domain from the intake to the closing assessment. */
export function ncfasOutcome(intake: NcfasRatings, closing: NcfasRatings): NcfasOutcome {
  const domains = NCFAS_DOMAINS.map((domain): NcfasDomainChange => {
    const a = intake[domain];
    const b = closing[domain];
    return { domain, intake: a, closing: b, change: isScore(a) && isScore(b) ? b - a : null };
  });
  const changes = domains.map((d) => d.change).filter((c): c is number => c !== null);
  return {
    domains,
    compared: changes.length,
    improved: changes.filter((c) => c > 0).length,
    unchanged: changes.filter((c) => c === 0).length,
    worsened: changes.filter((c) => c < 0).length,
    meanChange: changes.length > 0 ? changes.reduce((s, c) => s + c, 0) / changes.length : null,
  };
}

/** The domains rated as a problem (below baseline): where a PAF's goals are expected. */
export function problemDomains(ratings: NcfasRatings): NcfasDomain[] {
  return NCFAS_DOMAINS.filter((d) => {
    const r = ratings[d];
    return isScore(r) && r < 0;
  });
}
