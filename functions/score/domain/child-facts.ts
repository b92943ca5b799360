/**
 * The facts a child's indicators give the program catalogue (`ChildFacts`): read from the same
 * row the model scores, so that a suggested referral rests on exactly the data behind the score.
 * A household indicator of an old registry survey is weighted towards its typical value
 * (`indicators.ts`); it counts as a fact only while at least half of it remains.
 */
import type { ChildFacts } from '../../roster/domain/roster';
import { FEATURE_NAMES } from './features';

function indexOf(name: string): number {
  const i = FEATURE_NAMES.indexOf(name);
  if (i < 0) throw new Error(`feature ${name} is not in the catalogue`);
  return i;
}

const AGE = indexOf('edad');
const RSH_40 = indexOf('tramo_rsh_40');
const PARENT_IN_PRISON = indexOf('adulto_privado_libertad');
const OFFENDER = indexOf('infractor_24h_12m');
const NOT_ENROLLED = indexOf('sin_matricula_3m');
const WITHDRAWN = indexOf('retiro_escolar_12m');
const CRITICAL_ATTENDANCE = indexOf('asistencia_critica_3m');
const DRUGS = indexOf('tratamiento_drogas_12m');
const MENTAL_HEALTH = indexOf('salud_mental_12m');

/** The facts of one child's indicator row (catalogue order). */
export function childFactsOf(row: ArrayLike<number>): ChildFacts {
  const on = (i: number): boolean => (row[i] as number) >= 0.5;
  return {
    ageYears: Math.floor(row[AGE] as number),
    rsh40: on(RSH_40),
    adultDeprivedOfLiberty: on(PARENT_IN_PRISON),
    offender12m: on(OFFENDER),
    schoolDisengaged: on(NOT_ENROLLED) || on(WITHDRAWN) || on(CRITICAL_ATTENDANCE),
    drugTreatment12m: on(DRUGS),
    mentalHealth12m: on(MENTAL_HEALTH),
  };
}
