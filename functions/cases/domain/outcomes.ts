/**
 * The OLN's outcome indicators, per comuna and per program of the offer, as the SAN and 24 Horas
 * programs report them: among the cases that reached egreso, the share whose PAF is at least 50 %
 * achieved; the NCFAS change from intake to closure; and the share of leavers who did not re-enter
 * the protection system within 24 months, found in the protection extract's entries. A leaver
 * counts for re-entry only once the protection data covers the 24 months after egreso; until then
 * the leaver is pending, never counted as a success. Plain functions over plain data.
 */
import type { CaseRecord } from './case';
import { ncfasOutcome } from './ncfas';
import { pafAchievement } from './paf';
import type { Program } from './referrals';
import { PROGRAM_CATALOGUE, PROGRAMS } from './referrals';

/** Months after egreso within which an entry into protection counts as re-entry. */
export const REENTRY_WINDOW_MONTHS = 24;

/** A share with its numerator and denominator; `share` is null when there is no denominator. */
export interface Share {
  readonly count: number;
  readonly of: number;
  readonly share: number | null;
}

export interface OutcomeIndicators {
  readonly leavers: number;
  /** Leavers with a PAF whose achievement is at least 50 %, of the leavers with a PAF. */
  readonly pafAtLeast50: Share;
  /** Leavers whose NCFAS improved on average, of those with both assessments; and the mean change. */
  readonly ncfasImproved: Share;
  readonly ncfasMeanChange: number | null;
  /** Leavers who did not re-enter protection within 24 months, of those whose 24 months are covered. */
  readonly notReEntered: Share;
  /** Leavers whose 24 months the protection data does not cover yet. */
  readonly reEntryPending: number;
}

const share = (count: number, of: number): Share => ({ count, of, share: of > 0 ? count / of : null });

/** `day` (yyyy-mm-dd) plus `months` calendar months, the day clamped to the month's end. */
export function addMonths(day: string, months: number): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const total = y * 12 + (m - 1) + months;
  const year = Math.floor(total / 12);
  const month = (total % 12) + 1;
  const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(Math.min(d, last)).padStart(2, '0')}`;
}

/** The day a case reached egreso, from its history; undefined for a case that has not. */
export function egresoDay(c: CaseRecord): string | undefined {
  if (c.state !== 'egreso') return undefined;
  return c.history.findLast((h) => h.to === 'egreso')?.at.slice(0, 10);
}

/**
 * The indicators of `cases` (the leavers among them count). `protectionEntries` gives each child's
 * entry dates into the protection system as the latest protection extract knows them, and
 * `coveredUntil` the last day that extract covers (its cut's knowledge date).
 */
export function outcomeIndicators(
  cases: readonly CaseRecord[],
  protectionEntries: ReadonlyMap<string, readonly string[]>,
  coveredUntil: string | undefined,
): OutcomeIndicators {
  let withPaf = 0;
  let paf50 = 0;
  let assessed = 0;
  let improved = 0;
  let changeSum = 0;
  let covered = 0;
  let notReEntered = 0;
  let pending = 0;
  let leavers = 0;
  for (const c of cases) {
    const left = egresoDay(c);
    if (left === undefined) continue;
    leavers++;
    const achievement = pafAchievement(c.paf);
    if (achievement !== null) {
      withPaf++;
      if (achievement >= 0.5) paf50++;
    }
    const { ingreso, cierre } = c.ncfas;
    const outcome = ingreso && cierre ? ncfasOutcome(ingreso.ratings, cierre.ratings) : undefined;
    if (outcome?.meanChange != null) {
      assessed++;
      changeSum += outcome.meanChange;
      if (outcome.meanChange > 0) improved++;
    }
    const windowEnd = addMonths(left, REENTRY_WINDOW_MONTHS);
    if (coveredUntil === undefined || coveredUntil < windowEnd) {
      pending++;
      continue;
    }
    covered++;
    const entries = protectionEntries.get(c.childId) ?? [];
    if (!entries.some((d) => d > left && d <= windowEnd)) notReEntered++;
  }
  return {
    leavers,
    pafAtLeast50: share(paf50, withPaf),
    ncfasImproved: share(improved, assessed),
    ncfasMeanChange: assessed > 0 ? changeSum / assessed : null,
    notReEntered: share(notReEntered, covered),
    reEntryPending: pending,
  };
}

/** The indicators of every leaver, and of the leavers referred to each program (accepted or attended). */
export function outcomesByProgram(
  cases: readonly CaseRecord[],
  protectionEntries: ReadonlyMap<string, readonly string[]>,
  coveredUntil: string | undefined,
): {
  readonly all: OutcomeIndicators;
  readonly programs: readonly ({ readonly program: Program; readonly name: string } & OutcomeIndicators)[];
} {
  const leavers = cases.filter((c) => c.state === 'egreso');
  return {
    all: outcomeIndicators(leavers, protectionEntries, coveredUntil),
    programs: PROGRAMS.flatMap((program) => {
      const served = leavers.filter((c) =>
        c.referrals.some((r) => r.program === program && (r.state === 'aceptada' || r.state === 'atendida')),
      );
      return served.length === 0
        ? []
        : [
            {
              program,
              name: PROGRAM_CATALOGUE[program].name,
              ...outcomeIndicators(served, protectionEntries, coveredUntil),
            },
          ];
    }),
  };
}
