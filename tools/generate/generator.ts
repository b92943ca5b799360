/**
 * Seeded synthetic population and extracts for the pilot comunas.
 *
 * Ground truth. Each child's probability of a rights violation in the next 12 months is
 * p = sigmoid(z), with z built from the household, the school situation and the events of the 36
 * months before the knowledge date (police contacts, health care, protection programs, a parent in
 * prison), plus a latent household strain that no source records; `life-events.ts` documents the
 * structure term by term. The outcome (entry to specialised protection or a court protection
 * measure) is a Bernoulli draw from p. The probabilities and outcomes are written to `truth/<cut>.csv`,
 * apart from the extracts, for evaluation only; the model never reads them as input.
 *
 * School situation. A school-age child (6–17) has a latent school risk
 * s = −2.2 + 0.6·[RSH 40] + 0.5·[adolescent] + 0.4·[single parent] + h; it is out of school with
 * probability sigmoid(s − 1.3), otherwise chronically absent with sigmoid(s + a(cut)), where a(cut)
 * is the absenteeism drift of `yearly-drift.ts`, and withdrawn during the year with sigmoid(s − 2).
 * An enrolled child's monthly attendance is drawn around a level of N(74, 8²) % if chronically
 * absent, N(93, 4²) % otherwise, with N(0, 4²) of noise per month (January and February are
 * holidays); it is a repeater with probability 0.15 if chronically absent, 0.03 otherwise.
 *
 * Imperfections: invalid RUN check digits, impossible dates, missing required fields, duplicated
 * rows, the registry in Latin-1 with `;` and dd-mm-yyyy, education in UTF-8 with `,` and ISO months.
 *
 * Drift across years. The cuts are not draws of one unchanging process: school absenteeism rises, a
 * prevention program opens in three comunas in November 2024 and lowers the outcome's hazard there
 * (unseen by any source), and registry surveys grow older, each as a documented function of the
 * cut's distance from 2022-10 that holds still from 2026-10 on (`yearly-drift.ts`). At 2022-10 and
 * before there is no drift.
 *
 * Zone. Each household is urban or rural with the comuna's share of rural dwellings (illustrative
 * figures of the order the 2017 census gives), somewhat more often in the lowest bracket. The zone
 * enters no term of the ground truth: it is recorded in the registry's `ZONA` column (blank for a
 * few households) so the bias audit can compare rural and urban children.
 *
 * Random streams: the population, registry, education and outcomes come from the seed's main
 * stream; the life events and the unobserved noise from a second one; the other sources' files
 * from a third; the zone from a fourth. Changing the events or the zone therefore leaves every
 * other column of the registry and education files unchanged.
 */
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import iconv from 'iconv-lite';
import type { SourceId } from '../../functions/ingest/domain/contracts';
import type { CutManifest } from '../../functions/ingest/domain/manifest';
import { PILOT_COMUNAS } from '../../functions/shared/domain/comunas';
import { addMonths, ageInYears, cutKnowledgeDate, toIsoDate } from '../../functions/shared/domain/dates';
import { checkDigit } from '../../functions/shared/domain/run';
import type { Rng } from '../lib/rng';
import { createRng } from '../lib/rng';
import type { HouseholdFacts } from './life-events';
import { drawChildEvents, drawHouseholdFacts, observedLogOdds, unobservedLogOdds } from './life-events';
import type { GeneratedPerson } from './more-sources';
import { generateMoreSources } from './more-sources';
import {
  GIVEN_NAMES_F,
  GIVEN_NAMES_M,
  MAPUCHE_SURNAMES,
  MIGRANT_NATIONALITIES,
  STREETS,
  SURNAMES,
} from './names';
import type { YearlyDrift } from './yearly-drift';
import { programLogOddsIn, SURVEY_AGE_MONTHS, yearlyDrift } from './yearly-drift';

/** Relative sizes of the under-18 population of each pilot comuna (approximate). */
const COMUNA_WEIGHTS: Readonly<Record<string, number>> = {
  '01101': 50,
  '04101': 55,
  '05701': 18,
  '06116': 7,
  '07201': 9,
  '08101': 45,
  '09111': 9,
  '11201': 6,
  '13101': 80,
  '13110': 75,
  '13301': 45,
  '16107': 4,
};

/** Share of each pilot comuna's households in rural zones (illustrative). */
const RURAL_SHARE: Readonly<Record<string, number>> = {
  '01101': 0.01,
  '04101': 0.08,
  '05701': 0.12,
  '06116': 0.35,
  '07201': 0.25,
  '08101': 0.01,
  '09111': 0.45,
  '11201': 0.15,
  '13101': 0,
  '13110': 0.01,
  '13301': 0.15,
  '16107': 0.4,
};

/** A household's zone: rural more often in the lowest bracket. */
function drawRural(rng: Rng, comuna: string, bracket: number): boolean {
  const share = RURAL_SHARE[comuna] ?? 0.05;
  return rng.bernoulli(Math.min(1, share * (bracket === 40 ? 1.3 : 0.7)));
}

export interface GenerateOptions {
  readonly children: number;
  readonly seed: number;
  /** The cut `yyyy-mm`; its last day is the knowledge date. */
  readonly cut: string;
  /** Share of rows given a defect on purpose (0 for a clean set). */
  readonly defectRate?: number;
  /** Files to write (default: every source). */
  readonly sources?: readonly SourceId[];
}

export interface GeneratedFile {
  readonly name: string;
  readonly source: SourceId;
  readonly rows: number;
  readonly bytes: Buffer;
  readonly encoding: 'utf-8' | 'windows-1252';
}

export interface TruthRow {
  readonly run: string;
  readonly comuna: string;
  readonly probability: number;
  readonly outcome: 0 | 1;
}

export interface GeneratedCut {
  readonly cut: string;
  readonly files: readonly GeneratedFile[];
  /** `manifest.json` of the cut: every file with its source, size, row count and SHA-256. */
  readonly manifest: CutManifest;
  readonly truth: readonly TruthRow[];
}

interface Household {
  folio: string;
  comuna: string;
  bracket: number;
  size: number;
  bedrooms: number;
  incomePerCapita: number;
  headSchooling: number;
  singleParent: boolean;
  disability: boolean;
  indigenous: boolean;
  rural: boolean;
  nationality: string;
  surnames: [string, string];
  address: string;
  surveyDate: string;
  latent: number;
}

const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

const ALL_SOURCES: readonly SourceId[] = [
  'rsh',
  'educacion',
  'registro_civil',
  'privacion_libertad',
  'salud',
  'policia',
  'proteccion',
];

export function generateCut(options: GenerateOptions): GeneratedCut {
  const rng = createRng(options.seed);
  const eventsRng = createRng(options.seed ^ 0xfac75);
  const zoneRng = createRng(options.seed ^ 0x20a4a);
  const asOf = cutKnowledgeDate(options.cut);
  if (!asOf) throw new Error(`cut must be yyyy-mm, got "${options.cut}"`);
  const defectRate = options.defectRate ?? 0.02;
  const drift = yearlyDrift(options.cut);
  const cuts = PILOT_COMUNAS.map((c) => c.cut);
  const weights = cuts.map((c) => COMUNA_WEIGHTS[c] ?? 1);

  const rsh: string[][] = [];
  const edu: string[][] = [];
  const truth: TruthRow[] = [];
  const usedRuns = new Set<number>();
  const people: GeneratedPerson[] = [];
  const wanted = new Set<SourceId>(options.sources ?? ALL_SOURCES);
  const wantEducation = wanted.has('educacion');
  let householdSeq = 0;
  let childrenMade = 0;

  while (childrenMade < options.children) {
    const hh = makeHousehold(rng, rng.weighted(cuts, weights), asOf, ++householdSeq, drift);
    hh.rural = drawRural(zoneRng, hh.comuna, hh.bracket);
    const facts: HouseholdFacts = drawHouseholdFacts(eventsRng, hh, asOf);
    const kids = Math.min(options.children - childrenMade, rng.weighted([1, 2, 3, 4], [40, 35, 17, 8]));
    hh.size = Math.max(hh.size, kids + 1);
    const members = Array.from({ length: kids }, () => makeChild(rng, hh, asOf, usedRuns));
    // A household registers a newborn by updating its registry record after the birth.
    const youngest =
      members
        .map((m) => m.birthDate)
        .sort()
        .at(-1) ?? hh.surveyDate;
    if (youngest >= hh.surveyDate) {
      const updated = toIsoDate(
        new Date(Date.parse(`${youngest}T00:00:00Z`) + rng.int(20, 120) * 86_400_000),
      );
      hh.surveyDate = updated < asOf ? updated : asOf;
    }
    for (const child of members) {
      childrenMade++;
      const age = ageInYears(child.birthDate, asOf);
      const adolescent = age >= 13 ? 1 : 0;
      const schoolAge = age >= 6 && age <= 17;
      const crowdingCritical = hh.size / Math.max(1, hh.bedrooms) >= 2.5 ? 1 : 0;
      // Latent school situation, driven by the household and the child's age.
      const schoolRisk =
        -2.2 +
        0.6 * (hh.bracket === 40 ? 1 : 0) +
        0.5 * adolescent +
        0.4 * (hh.singleParent ? 1 : 0) +
        hh.latent;
      const outOfSchool = schoolAge && rng.bernoulli(sigmoid(schoolRisk - 1.3)) ? 1 : 0;
      const chronicAbsence =
        !outOfSchool && schoolAge && rng.bernoulli(sigmoid(schoolRisk + drift.absenceLogOdds)) ? 1 : 0;
      const withdrawn = !outOfSchool && schoolAge && rng.bernoulli(sigmoid(schoolRisk - 2)) ? 1 : 0;
      const situation = {
        birthDate: child.birthDate,
        sex: child.sex,
        bracket: hh.bracket,
        singleParent: hh.singleParent,
        crowdingCritical: crowdingCritical === 1,
        disability: hh.disability,
        headSchooling: hh.headSchooling,
        chronicAbsence: chronicAbsence === 1,
        outOfSchool: outOfSchool === 1,
        withdrawn: withdrawn === 1,
        latent: hh.latent,
      };
      const events = drawChildEvents(eventsRng, situation, facts, asOf);
      const z =
        observedLogOdds(situation, events, facts, asOf) +
        unobservedLogOdds(eventsRng, hh.latent) +
        programLogOddsIn(drift, hh.comuna);
      const p = sigmoid(z);
      people.push({
        runBody: child.runBody,
        birthDate: child.birthDate,
        sex: child.sex,
        comuna: hh.comuna,
        householdFolio: hh.folio,
        migrant: hh.nationality !== 'Chilena',
        household: facts,
        events,
      });
      truth.push({
        run: `${child.runBody}-${checkDigit(child.runBody)}`,
        comuna: hh.comuna,
        probability: p,
        outcome: rng.bernoulli(p) ? 1 : 0,
      });

      rsh.push(rshRow(rng, zoneRng, hh, child, defectRate));
      if (rng.bernoulli(defectRate / 2)) rsh.push([...(rsh[rsh.length - 1] ?? [])]);
      if (schoolAge && !outOfSchool && wantEducation) {
        const rbd = 1000 + rng.int(0, 8999);
        const base = chronicAbsence ? rng.normal(74, 8) : rng.normal(93, 4);
        const repeating = rng.bernoulli(chronicAbsence ? 0.15 : 0.03);
        for (let m = 5; m >= 0; m--) {
          const month = addMonths(asOf, -m).slice(0, 7);
          if (month.endsWith('-01') || month.endsWith('-02')) continue; // summer holidays
          const withdrawnNow = withdrawn === 1 && m === 1;
          const attendance = Math.max(0, Math.min(100, base + rng.normal(0, 4)));
          edu.push(educationRow(rng, child, hh, rbd, month, attendance, repeating, withdrawnNow, defectRate));
          if (withdrawnNow) break;
        }
      }
    }
  }

  const rshHeader = [
    'RUN',
    'DV',
    'NOMBRES',
    'APELLIDO_PATERNO',
    'APELLIDO_MATERNO',
    'FECHA_NACIMIENTO',
    'SEXO',
    'FOLIO_HOGAR',
    'TRAMO_RSH',
    'N_PERSONAS_HOGAR',
    'N_DORMITORIOS',
    'INGRESO_PER_CAPITA',
    'ESCOLARIDAD_JEFE',
    'JEFATURA_MONOPARENTAL',
    'DISCAPACIDAD_HOGAR',
    'PUEBLO_ORIGINARIO',
    'NACIONALIDAD',
    'DIRECCION',
    'COMUNA',
    'FECHA_ENCUESTA',
    'ZONA',
  ];
  const eduHeader = [
    'RUN_ALUMNO',
    'DV_ALUMNO',
    'RBD',
    'COD_COMUNA',
    'GRADO',
    'MES',
    'ASISTENCIA',
    'REPITENTE',
    'RETIRADO',
  ];
  const more = generateMoreSources(createRng(options.seed ^ 0x5eed5), people, asOf, defectRate, usedRuns);
  const files: GeneratedFile[] = [];
  const add = (
    source: SourceId,
    name: string,
    header: readonly string[],
    rows: readonly (readonly string[])[],
    format: { delimiter: ';' | ','; encoding: 'utf-8' | 'windows-1252'; bom?: boolean; gzip?: boolean },
  ): void => {
    if (!wanted.has(source)) return;
    const text = `${format.bom ? '\uFEFF' : ''}${toCsv(header, rows, format.delimiter)}`;
    const encoded =
      format.encoding === 'utf-8' ? Buffer.from(text, 'utf8') : iconv.encode(text, 'windows-1252');
    files.push({
      name,
      source,
      rows: rows.length,
      bytes: format.gzip ? gzipSync(encoded) : encoded,
      encoding: format.encoding,
    });
  };
  add('rsh', 'rsh.csv', rshHeader, rsh, { delimiter: ';', encoding: 'windows-1252' });
  add('educacion', 'educacion.csv', eduHeader, edu, { delimiter: ',', encoding: 'utf-8' });
  add('registro_civil', 'registro_civil.csv', more.registro_civil.header, more.registro_civil.rows, {
    delimiter: ',',
    encoding: 'utf-8',
  });
  add(
    'privacion_libertad',
    'privacion_libertad.csv',
    more.privacion_libertad.header,
    more.privacion_libertad.rows,
    {
      delimiter: ';',
      encoding: 'windows-1252',
    },
  );
  add('salud', 'salud.csv.gz', more.salud.header, more.salud.rows, {
    delimiter: ';',
    encoding: 'utf-8',
    gzip: true,
  });
  add('policia', 'policia.csv', more.policia.header, more.policia.rows, {
    delimiter: ',',
    encoding: 'windows-1252',
  });
  add('proteccion', 'proteccion.csv', more.proteccion.header, more.proteccion.rows, {
    delimiter: ';',
    encoding: 'utf-8',
    bom: true,
  });
  return {
    cut: options.cut,
    files,
    manifest: {
      cut: options.cut,
      files: files.map((f) => ({
        name: f.name,
        source: f.source,
        rows: f.rows,
        bytes: f.bytes.length,
        sha256: createHash('sha256').update(f.bytes).digest('hex'),
      })),
    },
    truth,
  };
}

function makeHousehold(rng: Rng, comuna: string, asOf: string, seq: number, drift: YearlyDrift): Household {
  const bracket = rng.weighted([40, 50, 60, 70, 80, 90, 100], [52, 11, 9, 8, 7, 7, 6]);
  const size = rng.weighted([2, 3, 4, 5, 6, 7, 8], [8, 24, 28, 20, 10, 6, 4]);
  const bedrooms = Math.max(1, Math.min(size, rng.weighted([1, 2, 3, 4], [22, 40, 30, 8])));
  const incomeBase = {
    40: 90_000,
    50: 180_000,
    60: 240_000,
    70: 300_000,
    80: 380_000,
    90: 520_000,
    100: 900_000,
  }[bracket] as number;
  const indigenous = rng.bernoulli(comuna === '09111' ? 0.45 : 0.1);
  const migrant = rng.bernoulli(comuna === '13101' || comuna === '01101' ? 0.22 : 0.06);
  const surveyMonthsAgo = rng.weighted(SURVEY_AGE_MONTHS, drift.surveyAgeWeights) + rng.int(0, 2);
  const paternal = indigenous && rng.bernoulli(0.7) ? rng.pick(MAPUCHE_SURNAMES) : rng.pick(SURNAMES);
  return {
    folio: `${comuna}${String(seq).padStart(7, '0')}`,
    comuna,
    bracket,
    size,
    bedrooms,
    incomePerCapita: Math.max(0, Math.round(incomeBase * Math.exp(rng.normal(0, 0.35)))),
    headSchooling: Math.max(0, Math.min(20, Math.round(rng.normal(bracket <= 50 ? 9 : 12.5, 3)))),
    singleParent: rng.bernoulli(bracket <= 50 ? 0.42 : 0.22),
    disability: rng.bernoulli(0.09),
    indigenous,
    rural: false,
    nationality: migrant ? rng.pick(MIGRANT_NATIONALITIES) : 'Chilena',
    surnames: [paternal, rng.pick(SURNAMES)],
    address: `${rng.pick(STREETS)} ${rng.int(10, 3999)}`,
    surveyDate: addMonths(asOf, -surveyMonthsAgo),
    latent: rng.normal(0, 0.6),
  };
}

interface Child {
  runBody: number;
  givenNames: string;
  sex: 'F' | 'M';
  birthDate: string;
}

function makeChild(rng: Rng, hh: Household, asOf: string, used: Set<number>): Child {
  const ageDays = rng.int(0, 18 * 365 - 2);
  const birth = new Date(Date.parse(`${asOf}T00:00:00Z`) - ageDays * 86_400_000);
  const birthDate = toIsoDate(birth);
  const year = birth.getUTCFullYear();
  let runBody: number;
  do {
    // Migrant children often receive a RUN years after birth, in the 100-million-free 26–28M range.
    runBody =
      hh.nationality !== 'Chilena'
        ? 26_000_000 + rng.int(0, 1_999_999)
        : 20_500_000 + (year - 2007) * 290_000 + rng.int(0, 289_999);
  } while (used.has(runBody));
  used.add(runBody);
  const sex = rng.bernoulli(0.49) ? 'F' : 'M';
  return { runBody, givenNames: rng.pick(sex === 'F' ? GIVEN_NAMES_F : GIVEN_NAMES_M), sex, birthDate };
}

const ddmmyyyy = (iso: string): string => `${iso.slice(8, 10)}-${iso.slice(5, 7)}-${iso.slice(0, 4)}`;

function rshRow(rng: Rng, zoneRng: Rng, hh: Household, child: Child, defectRate: number): string[] {
  let dv: string = checkDigit(child.runBody);
  let birth = ddmmyyyy(child.birthDate);
  let sex: string = child.sex;
  const defect = rng.bernoulli(defectRate) ? rng.int(0, 3) : -1;
  if (defect === 0) dv = dv === 'K' ? '0' : dv === '9' ? 'K' : String(Number(dv) + 1);
  if (defect === 1) birth = `31-02-${child.birthDate.slice(0, 4)}`;
  if (defect === 2) birth = '';
  if (defect === 3) sex = 'X';
  return [
    String(child.runBody),
    dv,
    child.givenNames,
    hh.surnames[0],
    hh.nationality !== 'Chilena' && rng.bernoulli(0.4) ? '' : hh.surnames[1],
    birth,
    sex,
    hh.folio,
    String(hh.bracket),
    String(hh.size),
    String(hh.bedrooms),
    String(hh.incomePerCapita)
      .replace(/\B(?=(\d{3})+(?!\d))/g, '.')
      .concat(rng.bernoulli(0.3) ? ',0' : ''),
    String(hh.headSchooling),
    hh.singleParent ? 'S' : 'N',
    hh.disability ? 'S' : 'N',
    hh.indigenous ? 'S' : 'N',
    hh.nationality,
    hh.address,
    rng.bernoulli(0.2) ? String(Number(hh.comuna)) : hh.comuna,
    ddmmyyyy(hh.surveyDate),
    zoneRng.bernoulli(defectRate) ? '' : hh.rural ? 'RURAL' : 'URBANA',
  ];
}

function educationRow(
  rng: Rng,
  child: Child,
  hh: Household,
  rbd: number,
  month: string,
  attendance: number,
  repeating: boolean,
  withdrawn: boolean,
  defectRate: number,
): string[] {
  const defect = rng.bernoulli(defectRate / 2) ? rng.int(0, 1) : -1;
  return [
    String(child.runBody),
    checkDigit(child.runBody),
    String(rbd),
    hh.comuna,
    String(Math.max(1, ageInYears(child.birthDate, `${month}-15`) - 5)),
    month,
    defect === 0 ? '104.5' : attendance.toFixed(1),
    repeating ? '1' : '0',
    defect === 1 ? 'tal vez' : withdrawn ? '1' : '0',
  ];
}

function toCsv(header: readonly string[], rows: readonly (readonly string[])[], delimiter: string): string {
  const quote = (v: string): string =>
    v.includes(delimiter) || v.includes('"') || v.includes('\n') ? `"${v.replace(/"/g, '""')}"` : v;
  const lines = [header.join(delimiter), ...rows.map((r) => r.map(quote).join(delimiter))];
  return `${lines.join('\r\n')}\r\n`;
}
