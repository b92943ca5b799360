/**
 * Referrals to the social protection offer: the catalogue of programs with their target
 * populations, the suggestion of the programs whose target the child's data fits (a suggestion for
 * the worker, never a decision), and a referral's states with its own follow-up. A referral carries
 * personal data out of the OLN only with the family's consent for referrals in force.
 * Plain functions over plain data.
 */
import type { ChildFacts } from '../../roster/domain/roster';

export const PROGRAMS = [
  'familias',
  'abriendo_caminos',
  'calle',
  'chile_crece_contigo',
  'pie_24_horas',
  'pde_24_horas',
  'pdc_24_horas',
  'salud_mental',
  'tratamiento_drogas',
] as const;
export type Program = (typeof PROGRAMS)[number];

/**
 * What the catalogue reads of a child to suggest programs: the facts scoring wrote from the child's
 * indicators at the cut (`ChildFacts`, kept on its nómina entry).
 */
export type ReferralFacts = ChildFacts;

export interface ProgramDef {
  readonly name: string;
  /** The program's target population, in words. */
  readonly target: string;
  /** Whether the child's data fits the target; absent when no source can tell (the worker decides). */
  readonly fits?: (f: ReferralFacts) => boolean;
  /** Why it is suggested, in words for the worker. */
  readonly because?: string;
}

export const PROGRAM_CATALOGUE: Readonly<Record<Program, ProgramDef>> = {
  familias: {
    name: 'Seguridades y Oportunidades: Familias',
    target: 'Familias en situación de pobreza extrema y vulnerabilidad',
    fits: (f) => f.rsh40,
    because: 'hogar en el tramo 40 % del Registro Social de Hogares',
  },
  abriendo_caminos: {
    name: 'Seguridades y Oportunidades: Abriendo Caminos',
    target: 'Niños, niñas y adolescentes con un adulto significativo privado de libertad, y su cuidador',
    fits: (f) => f.adultDeprivedOfLiberty,
    because: 'un adulto significativo está privado de libertad',
  },
  calle: {
    name: 'Seguridades y Oportunidades: Calle',
    target: 'Personas en situación de calle',
  },
  chile_crece_contigo: {
    name: 'Chile Crece Contigo',
    target: 'Primera infancia: niños y niñas menores de 6 años y sus familias',
    fits: (f) => f.ageYears < 6,
    because: 'menor de 6 años',
  },
  pie_24_horas: {
    name: '24 Horas: Programa de Intervención Especializada (PIE)',
    target: 'Adolescentes con conductas transgresoras o infractoras',
    fits: (f) => f.offender12m,
    because: 'ingreso al programa 24 Horas como infractor en los últimos 12 meses',
  },
  pde_24_horas: {
    name: '24 Horas: Programa de Reinserción Educativa (PDE)',
    target: 'Niños, niñas y adolescentes fuera de la escuela o con alto ausentismo',
    fits: (f) => f.ageYears >= 6 && f.schoolDisengaged,
    because: 'sin matrícula, retiro escolar o asistencia bajo 85 %',
  },
  pdc_24_horas: {
    name: '24 Horas: Programa de Tratamiento de Consumo (PDC)',
    target: 'Adolescentes con consumo problemático de alcohol o drogas',
    fits: (f) => f.ageYears >= 10 && f.drugTreatment12m,
    because: 'tratamiento por consumo de drogas en los últimos 12 meses',
  },
  salud_mental: {
    name: 'Salud mental infanto-juvenil (red de salud)',
    target: 'Niños, niñas y adolescentes con necesidades de salud mental',
    fits: (f) => f.mentalHealth12m,
    because: 'atención de salud mental en los últimos 12 meses',
  },
  tratamiento_drogas: {
    name: 'Tratamiento de drogas (SENDA)',
    target: 'Personas con consumo problemático de alcohol o drogas',
    fits: (f) => f.drugTreatment12m,
    because: 'tratamiento por consumo de drogas en los últimos 12 meses',
  },
};

/** The programs whose target population the child's data fits, each with why; the worker decides. */
export function suggestPrograms(facts: ReferralFacts): { program: Program; name: string; because: string }[] {
  return PROGRAMS.flatMap((program) => {
    const def = PROGRAM_CATALOGUE[program];
    return def.fits?.(facts) && def.because ? [{ program, name: def.name, because: def.because }] : [];
  });
}

export const REFERRAL_STATES = [
  'enviada',
  'aceptada',
  'rechazada',
  'en_lista_de_espera',
  'atendida',
] as const;
export type ReferralState = (typeof REFERRAL_STATES)[number];

/** The states a referral may move to from each state; `rechazada` and `atendida` end it. */
export const REFERRAL_TRANSITIONS: Readonly<Record<ReferralState, readonly ReferralState[]>> = {
  enviada: ['aceptada', 'rechazada', 'en_lista_de_espera'],
  en_lista_de_espera: ['aceptada', 'rechazada'],
  aceptada: ['atendida'],
  rechazada: [],
  atendida: [],
};

export class ReferralError extends Error {
  override readonly name = 'ReferralError';
  constructor(
    message: string,
    readonly allowed: readonly ReferralState[] = [],
  ) {
    super(message);
  }
}

/** Checks a referral's move from `from` to `to`, naming the states allowed from `from`. */
export function checkReferralMove(from: ReferralState, to: ReferralState): void {
  const allowed = REFERRAL_TRANSITIONS[from];
  if (!allowed.includes(to)) {
    throw new ReferralError(
      `una derivación ${from.replace(/_/g, ' ')} no puede pasar a ${to.replace(/_/g, ' ')}` +
        (allowed.length > 0
          ? `; puede pasar a: ${allowed.map((s) => s.replace(/_/g, ' ')).join(', ')}`
          : '; la derivación está cerrada'),
      allowed,
    );
  }
}
