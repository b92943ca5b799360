/**
 * The sources beyond the registry and education: civil registry (filiation), prison service,
 * health, police 24-hour program and child-protection programs. The events they record come from
 * the ground truth (`life-events.ts`); everything else in their rows (parents' RUNs, facilities,
 * event types, registration delays, missing fields, defects) is drawn from their own random stream,
 * after the population, so that they leave the registry and education files of a seed unchanged.
 * Formats vary by institution, and each file has its realistic defects.
 */
import { ENTRY_CAUSES, PROGRAM_MODELS } from '../../functions/ingest/domain/contracts/proteccion';
import { findComuna } from '../../functions/shared/domain/comunas';
import { toIsoDate } from '../../functions/shared/domain/dates';
import { checkDigit } from '../../functions/shared/domain/run';
import type { Rng } from '../lib/rng';
import type { ChildEvents, HouseholdFacts } from './life-events';
import { GIVEN_NAMES_F, GIVEN_NAMES_M, SURNAMES } from './names';

export interface GeneratedPerson {
  readonly runBody: number;
  readonly birthDate: string;
  readonly sex: 'F' | 'M';
  readonly comuna: string;
  readonly householdFolio: string;
  readonly migrant: boolean;
  readonly household: HouseholdFacts;
  readonly events: ChildEvents;
}

export interface SourceRows {
  readonly header: readonly string[];
  readonly rows: string[][];
}

const PRISON_UNITS = [
  'CDP Santiago Sur',
  'CP Valparaíso',
  'CCP Concepción',
  'CP Alto Hospicio',
  'CDP Puente Alto',
  'CP Temuco',
];
/** Police units serve their own comuna. */
function policeUnitOf(comuna: string, rng: Rng): string {
  const name = findComuna(comuna)?.name ?? comuna;
  return rng.bernoulli(0.7) ? `1a Comisaría ${name}` : `Subcomisaría ${name}`;
}
const MODELS = PROGRAM_MODELS;
const CAUSES = ENTRY_CAUSES.filter((c) => c !== 'SUSCEPTIBLE_ADOPCION');
const POLICE_VICTIM = [
  'VIOLENCIA_INTRAFAMILIAR',
  'LESIONES',
  'ABUSO_SEXUAL',
  'VULNERACION_DERECHOS',
] as const;
const POLICE_OFFENDER = ['DROGAS', 'ROBO_HURTO', 'DESORDENES', 'LESIONES', 'OTRO'] as const;

const plusDays = (iso: string, days: number): string =>
  toIsoDate(new Date(Date.parse(`${iso}T00:00:00Z`) + days * 86_400_000));
const ddmmyyyy = (iso: string, sep = '-'): string =>
  `${iso.slice(8, 10)}${sep}${iso.slice(5, 7)}${sep}${iso.slice(0, 4)}`;
const min = (a: string, b: string): string => (a < b ? a : b);
/** A RUN as `12.345.678-5`, the way case-management systems print it. */
const runText = (body: number): string => `${body.toLocaleString('de-DE')}-${checkDigit(body)}`;

/** Registration a few business days after the event, sometimes late, sometimes missing. */
function registration(rng: Rng, event: string, asOf: string, lateness: number): string {
  if (rng.bernoulli(0.03)) return '';
  const days = rng.bernoulli(lateness) ? rng.int(6, 40) : rng.int(0, 3);
  return min(plusDays(event, days), asOf);
}

function adultRun(rng: Rng, used: Set<number>): number {
  let body: number;
  do body = rng.int(7_000_000, 19_999_999);
  while (used.has(body));
  used.add(body);
  return body;
}

export function generateMoreSources(
  rng: Rng,
  people: readonly GeneratedPerson[],
  asOf: string,
  defectRate: number,
  usedRuns: Set<number>,
): Record<'registro_civil' | 'privacion_libertad' | 'salud' | 'policia' | 'proteccion', SourceRows> {
  const parents = new Map<
    string,
    { mother: number; father: number | undefined; facts: HouseholdFacts; comuna: string }
  >();
  for (const p of people) {
    if (parents.has(p.householdFolio)) continue;
    parents.set(p.householdFolio, {
      mother: adultRun(rng, usedRuns),
      father: p.household.hasFather ? adultRun(rng, usedRuns) : undefined,
      facts: p.household,
      comuna: p.comuna,
    });
  }

  const civil: string[][] = [];
  for (const p of people) {
    const family = parents.get(p.householdFolio);
    if (!family) continue;
    const motherDv = rng.bernoulli(defectRate / 2)
      ? checkDigit(family.mother) === '1'
        ? '2'
        : '1'
      : checkDigit(family.mother);
    civil.push([
      String(p.runBody),
      checkDigit(p.runBody),
      p.birthDate,
      p.sex,
      plusDays(p.birthDate, rng.int(1, 60)),
      '',
      String(family.mother),
      motherDv,
      family.father ? String(family.father) : '',
      family.father ? checkDigit(family.father) : '',
      p.comuna,
    ]);
  }

  const custody: string[][] = [];
  for (const [, family] of parents) {
    const episode = family.facts.custody;
    if (!episode) continue;
    const adult = episode.parent === 'father' && family.father !== undefined ? family.father : family.mother;
    custody.push([
      String(adult),
      checkDigit(adult),
      ddmmyyyy(episode.admission),
      episode.release ? ddmmyyyy(episode.release) : '',
      rng.weighted(['CERRADO', 'SEMIABIERTO', 'ABIERTO'], [75, 10, 15]),
      rng.pick(PRISON_UNITS),
      family.comuna,
    ]);
  }

  const health: string[][] = [];
  const police: string[][] = [];
  const protection: string[][] = [];
  const projects = new Map<string, { code: string; sloppiness: number }[]>();
  for (const p of people) {
    const facility = `${p.comuna.slice(0, 2)}${String(rng.int(100, 999))}`;
    const e = p.events;
    // Health: the ground truth's attentions, plus emergency visits that carry no signal.
    const attentions: [string, string, number][] = [
      ...e.checkups.map((d): [string, string, number] => [d, 'CONTROL_SANO', 0.1]),
      ...e.mentalHealth.map((d): [string, string, number] => [d, 'SALUD_MENTAL', 0.15]),
      ...e.drugTreatment.map((d): [string, string, number] => [d, 'TRATAMIENTO_DROGAS', 0.15]),
      ...e.pregnancy.map((d): [string, string, number] => [d, 'CONTROL_EMBARAZO', 0.15]),
    ];
    if (rng.bernoulli(0.05)) {
      const date = plusDays(asOf, -rng.int(1, 360));
      if (date >= p.birthDate) attentions.push([date, 'URGENCIA', 0.15]);
    }
    const diagnoses: Record<string, string> = {
      SALUD_MENTAL: 'F32',
      TRATAMIENTO_DROGAS: 'F19',
      CONTROL_EMBARAZO: 'Z34',
    };
    for (const [date, kind, lateness] of attentions) {
      health.push([
        String(p.runBody),
        checkDigit(p.runBody),
        p.comuna,
        date,
        registration(rng, date, asOf, lateness),
        kind,
        facility,
        diagnoses[kind] && rng.bernoulli(0.8) ? (diagnoses[kind] as string) : '',
      ]);
    }
    // Police 24-hour program: the ground truth's contacts as victim and as offender.
    const contacts: [string, string, readonly string[]][] = [
      ...e.policeVictim.map((d): [string, string, readonly string[]] => [d, 'VICTIMA', POLICE_VICTIM]),
      ...e.policeOffender.map((d): [string, string, readonly string[]] => [d, 'INFRACTOR', POLICE_OFFENDER]),
    ];
    for (const [date, role, events] of contacts) {
      police.push([
        String(p.runBody),
        checkDigit(p.runBody),
        rng.bernoulli(0.15) ? String(Number(p.comuna)) : p.comuna,
        ddmmyyyy(date, '/'),
        ddmmyyyy(registration(rng, date, asOf, 0.05) || date, '/'),
        role,
        rng.bernoulli(defectRate / 2) ? 'PELEA' : rng.pick(events),
        policeUnitOf(p.comuna, rng),
      ]);
    }
    // Child-protection programs: the ground truth's entry, if any, in one of the comuna's projects.
    if (e.protection) {
      let list = projects.get(p.comuna);
      if (!list) {
        list = Array.from({ length: 4 }, (_, i) => ({
          code: `${p.comuna}${String(i + 1).padStart(3, '0')}`,
          sloppiness: rng.pick([0.02, 0.05, 0.15, 0.35]),
        }));
        projects.set(p.comuna, list);
      }
      const project = rng.pick(list);
      const entry = e.protection.entry;
      const model = rng.pick(MODELS);
      const exit = e.protection.exit ?? '';
      const diagnosis = rng.bernoulli(1 - project.sloppiness)
        ? min(plusDays(entry, rng.int(5, 70)), asOf)
        : '';
      const plan = diagnosis && rng.bernoulli(0.8) ? min(plusDays(diagnosis, rng.int(5, 40)), asOf) : '';
      const sloppy = (): boolean => rng.bernoulli(project.sloppiness);
      const family = parents.get(p.householdFolio);
      const names = sloppy() ? '' : rng.pick(p.sex === 'F' ? GIVEN_NAMES_F : GIVEN_NAMES_M);
      protection.push([
        String(p.runBody),
        checkDigit(p.runBody),
        names,
        sloppy() ? '' : rng.pick(SURNAMES),
        p.migrant || sloppy() ? '' : rng.pick(SURNAMES),
        p.sex,
        p.birthDate,
        p.migrant ? 'Venezolana' : 'Chilena',
        p.comuna,
        project.code,
        model,
        rng.pick(CAUSES),
        entry,
        sloppy() ? plusDays(entry, rng.int(6, 30)) : registration(rng, entry, asOf, 0.05),
        exit,
        exit ? registration(rng, exit, asOf, project.sloppiness) : '',
        diagnosis,
        diagnosis ? registration(rng, diagnosis, asOf, project.sloppiness) : '',
        plan,
        plan ? registration(rng, plan, asOf, project.sloppiness) : '',
        sloppy() ? '' : `${rng.pick(GIVEN_NAMES_F)} ${rng.pick(SURNAMES)}`,
        sloppy() ? '' : rng.pick(['Madre', 'Abuela', 'Tía', 'Padre']),
        family && !sloppy() ? runText(family.mother) : '',
        family && !sloppy() ? `${rng.pick(GIVEN_NAMES_F)} ${rng.pick(SURNAMES)}` : '',
        family?.father && !sloppy() ? runText(family.father) : '',
        family?.father && !sloppy() ? `${rng.pick(GIVEN_NAMES_M)} ${rng.pick(SURNAMES)}` : '',
        family && !sloppy() ? runText(family.mother) : '',
        family && !sloppy() ? `${rng.pick(GIVEN_NAMES_F)} ${rng.pick(SURNAMES)}` : '',
        (model === 'RES' || model === 'FAE') && !exit
          ? sloppy()
            ? ''
            : rng.pick(['REGISTRADAS', 'SIN_VISITAS'])
          : '',
      ]);
    }
  }

  return {
    registro_civil: {
      header: [
        'RUN',
        'DV',
        'FECHA_NACIMIENTO',
        'SEXO',
        'FECHA_INSCRIPCION',
        'FECHA_DEFUNCION',
        'RUN_MADRE',
        'DV_MADRE',
        'RUN_PADRE',
        'DV_PADRE',
        'COMUNA_INSCRIPCION',
      ],
      rows: civil,
    },
    privacion_libertad: {
      header: [
        'RUN_INTERNO',
        'DV_INTERNO',
        'FECHA_INGRESO',
        'FECHA_EGRESO',
        'REGIMEN',
        'UNIDAD_PENAL',
        'COMUNA_RESIDENCIA',
      ],
      rows: custody,
    },
    salud: {
      header: [
        'RUN_PACIENTE',
        'DV_PACIENTE',
        'COMUNA_RESIDENCIA',
        'FECHA_ATENCION',
        'FECHA_REGISTRO',
        'TIPO_ATENCION',
        'ESTABLECIMIENTO',
        'DIAGNOSTICO',
      ],
      rows: health,
    },
    policia: {
      header: [
        'RUN_NNA',
        'DV_NNA',
        'COMUNA',
        'FECHA_PROCEDIMIENTO',
        'FECHA_REGISTRO',
        'CALIDAD',
        'TIPO',
        'UNIDAD_POLICIAL',
      ],
      rows: police,
    },
    proteccion: {
      header: [
        'RUN',
        'DV',
        'NOMBRES',
        'APELLIDO_PATERNO',
        'APELLIDO_MATERNO',
        'SEXO',
        'FECHA_NACIMIENTO',
        'NACIONALIDAD',
        'COMUNA',
        'CODIGO_PROYECTO',
        'MODELO',
        'CAUSAL_INGRESO',
        'FECHA_INGRESO',
        'FECHA_REGISTRO_INGRESO',
        'FECHA_EGRESO',
        'FECHA_REGISTRO_EGRESO',
        'FECHA_DIAGNOSTICO',
        'FECHA_REGISTRO_DIAGNOSTICO',
        'FECHA_PII',
        'FECHA_REGISTRO_PII',
        'CONTACTO_NOMBRE',
        'CONTACTO_RELACION',
        'RUN_MADRE',
        'NOMBRE_MADRE',
        'RUN_PADRE',
        'NOMBRE_PADRE',
        'RUN_ADULTO_RESPONSABLE',
        'NOMBRE_ADULTO_RESPONSABLE',
        'VISITAS_MES',
      ],
      rows: protection,
    },
  };
}
