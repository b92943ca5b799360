/**
 * The ground truth's causal structure: what happens to each synthetic household and child in the
 * 36 months before the knowledge date, and how it sets the child's true probability of a rights
 * violation (entry to specialised protection or a court protection measure) in the next 12 months.
 *
 * Every household carries a latent strain h ~ N(0, 0.6²) that no source records. It raises the
 * yearly chance of the events the institutions do record:
 *
 *   parent deprived of liberty (prison service)   sigmoid(−3.4 + 1.1·h + 0.5·[RSH 40])  once in 36 months
 *   child as a victim (police 24-hour program)    sigmoid(−3.9 + 1.2·h + 0.4·[single parent] + 0.4·[critical crowding] + 0.3·[parent in prison in the 36 months])  per year
 *   child as an offender (age 14+)                sigmoid(−4.6 + 0.9·h + 0.9·[chronic absence] + 0.9·[out of school] + 0.4·[male])  per year
 *   mental-health care (age 5+)                   sigmoid(−4.0 + 0.8·h + 0.6·[adolescent] + 0.5·[victim so far])  per year
 *   drug treatment (age 12+)                      sigmoid(−5.0 + 0.8·h + 1.0·[adolescent] + 0.8·[offender so far])  per year
 *   adolescent pregnancy (girls 13+)              sigmoid(−4.3 + 0.6·h + 0.6·[RSH 40] + 0.9·[out of school])  per year, once
 *   entry to a protection program                 sigmoid(−4.3 + 1.3·h + 0.5·[single parent] + 0.8·[victim that year])  per year, once
 *   well-child check-up (under six)               sigmoid(2.0 − 1.3·h − 0.5·[RSH 40])  per semester
 *
 * The years are drawn oldest first, so "so far" is an earlier year or the same one; the age limits
 * apply to the child's age in that year, [adolescent] is 13 or older at the knowledge date, and an
 * event falling before the child's birth is not recorded. A protection program ends 30–500 days
 * after entry, with probability 0.55 when that day is on or before the knowledge date; a prison
 * stay begins 10 days to 36 months before it and ends 30–900 days later, recorded as ended with
 * probability 0.6 when that day has come.
 *
 * The child's log-odds add the household, the school situation and these events, each counted over a
 * window before the knowledge date (recent events weigh more; nothing counts for ever):
 *
 *   z = −5.2
 *     + 0.85·[RSH 40] + 0.30·[RSH 50] + 0.55·[single parent] + 0.70·[critical crowding]
 *     + 0.35·[disability in the household] − 0.07·(schooling of the head − 10)
 *     + 1.00·[chronic absence] + 0.90·[school age, not enrolled] + 0.60·[recent withdrawal]
 *     + 0.25·[adolescent] + 0.50·[chronic absence]·[adolescent] + 0.40·[single parent]·[critical crowding]
 *     + 0.90·[victim, last 12 months] + 0.35·[victim, 13–36 months ago] + 0.80·[offender, last 12 months]
 *     + 0.70·[mental-health care, 12 months] + 0.60·[drug treatment, 12 months] + 0.60·[pregnancy, 12 months]
 *     + 0.60·[aged 1–5 with no check-up in 12 months]
 *     + 1.00·[parent in prison now] + 0.40·[parent released in the last 24 months]
 *     + 0.90·[in a protection program, or left one in the last 12 months] + 0.30·[left one 13–36 months ago]
 *     + 0.50·[victim, 12 months]·[single parent] + 0.40·[parent in prison now]·[under six]
 *     + 0.4·h + ε,  ε ~ N(0, 0.25²) per child
 *     + program(comuna, cut)
 *
 * so part of the strain reaches the outcome only through what the sources record, and part (0.4·h
 * and ε, a standard deviation of about 0.35 in log-odds: √((0.4·0.6)² + 0.25²)) stays out of any
 * model's sight. That part is why even the oracle is far from perfect and why a model trained on
 * the extracts trails it. The last term is the prevention program of `yearly-drift.ts` (0 until it
 * opens, down to −0.4 in its comunas afterwards), added by the generator with the unobserved terms:
 * it changes the outcome without changing anything a source records.
 */
import { ageInYears, toIsoDate } from '../../functions/shared/domain/dates';
import type { Rng } from '../lib/rng';

export const HISTORY_DAYS = 3 * 365;

/** A parent's stay in prison that overlaps the 36 months before the knowledge date. */
export interface CustodyEpisode {
  readonly parent: 'mother' | 'father';
  readonly admission: string;
  readonly release?: string;
}

export interface HouseholdFacts {
  readonly hasFather: boolean;
  readonly custody?: CustodyEpisode;
}

export interface ChildEvents {
  readonly policeVictim: readonly string[];
  readonly policeOffender: readonly string[];
  readonly mentalHealth: readonly string[];
  readonly drugTreatment: readonly string[];
  readonly pregnancy: readonly string[];
  /** Well-child check-ups (children under six). */
  readonly checkups: readonly string[];
  readonly protection?: { readonly entry: string; readonly exit?: string };
}

/** What the ground truth knows about a child beyond its events. */
export interface ChildSituation {
  readonly birthDate: string;
  readonly sex: 'F' | 'M';
  readonly bracket: number;
  readonly singleParent: boolean;
  readonly crowdingCritical: boolean;
  readonly disability: boolean;
  readonly headSchooling: number;
  readonly chronicAbsence: boolean;
  readonly outOfSchool: boolean;
  readonly withdrawn: boolean;
  /** The household's latent strain h. */
  readonly latent: number;
}

const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));
const b = (v: boolean): number => (v ? 1 : 0);
const DAY = 86_400_000;
const plusDays = (iso: string, days: number): string =>
  toIsoDate(new Date(Date.parse(`${iso}T00:00:00Z`) + days * DAY));
const daysBetween = (from: string, to: string): number =>
  Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY);

export function drawHouseholdFacts(
  rng: Rng,
  household: { readonly latent: number; readonly bracket: number; readonly singleParent: boolean },
  asOf: string,
): HouseholdFacts {
  const hasFather = rng.bernoulli(household.singleParent ? 0.5 : 0.92);
  if (!rng.bernoulli(sigmoid(-3.4 + 1.1 * household.latent + 0.5 * b(household.bracket === 40)))) {
    return { hasFather };
  }
  const admission = plusDays(asOf, -rng.int(10, HISTORY_DAYS));
  const releaseDay = plusDays(admission, rng.int(30, 900));
  return {
    hasFather,
    custody: {
      parent: hasFather && rng.bernoulli(0.85) ? 'father' : 'mother',
      admission,
      ...(releaseDay <= asOf && rng.bernoulli(0.6) ? { release: releaseDay } : {}),
    },
  };
}

/** A parent is in prison on the knowledge date. */
export function inCustodyOn(facts: HouseholdFacts, asOf: string): boolean {
  const c = facts.custody;
  return !!c && c.admission <= asOf && (c.release === undefined || c.release > asOf);
}

/** A parent left prison within `days` days before the knowledge date. */
export function releasedWithin(facts: HouseholdFacts, asOf: string, days: number): boolean {
  const release = facts.custody?.release;
  return release !== undefined && release <= asOf && daysBetween(release, asOf) <= days;
}

/** Draws the child's recorded events over the 36 months before `asOf`, one year at a time. */
export function drawChildEvents(
  rng: Rng,
  child: ChildSituation,
  household: HouseholdFacts,
  asOf: string,
): ChildEvents {
  const h = child.latent;
  const age = ageInYears(child.birthDate, asOf);
  const adolescent = b(age >= 13);
  const custodyAny = b(household.custody !== undefined);
  const policeVictim: string[] = [];
  const policeOffender: string[] = [];
  const mentalHealth: string[] = [];
  const drugTreatment: string[] = [];
  const pregnancy: string[] = [];
  const checkups: string[] = [];
  let protection: ChildEvents['protection'];
  /** A day in year `k` back (0 = the last 12 months), or undefined if the child was not yet born. */
  const dayInYear = (k: number): string | undefined => {
    const day = plusDays(asOf, -(365 * k + rng.int(1, 365)));
    return day >= child.birthDate ? day : undefined;
  };
  // Oldest year first, so that earlier events can raise later ones.
  for (let k = 2; k >= 0; k--) {
    const victimBefore = policeVictim.length;
    if (
      rng.bernoulli(
        sigmoid(
          -3.9 + 1.2 * h + 0.4 * b(child.singleParent) + 0.4 * b(child.crowdingCritical) + 0.3 * custodyAny,
        ),
      )
    ) {
      const d = dayInYear(k);
      if (d) policeVictim.push(d);
    }
    const victimThisYear = policeVictim.length > victimBefore;
    if (
      age - k >= 14 &&
      rng.bernoulli(
        sigmoid(
          -4.6 +
            0.9 * h +
            0.9 * b(child.chronicAbsence) +
            0.9 * b(child.outOfSchool) +
            0.4 * b(child.sex === 'M'),
        ),
      )
    ) {
      const d = dayInYear(k);
      if (d) policeOffender.push(d);
    }
    if (
      age - k >= 5 &&
      rng.bernoulli(sigmoid(-4.0 + 0.8 * h + 0.6 * adolescent + 0.5 * b(policeVictim.length > 0)))
    ) {
      const d = dayInYear(k);
      if (d) mentalHealth.push(d);
    }
    if (
      age - k >= 12 &&
      rng.bernoulli(sigmoid(-5.0 + 0.8 * h + 1.0 * adolescent + 0.8 * b(policeOffender.length > 0)))
    ) {
      const d = dayInYear(k);
      if (d) drugTreatment.push(d);
    }
    if (
      child.sex === 'F' &&
      age - k >= 13 &&
      pregnancy.length === 0 &&
      rng.bernoulli(sigmoid(-4.3 + 0.6 * h + 0.6 * b(child.bracket === 40) + 0.9 * b(child.outOfSchool)))
    ) {
      const d = dayInYear(k);
      if (d) pregnancy.push(d);
    }
    if (
      !protection &&
      rng.bernoulli(sigmoid(-4.3 + 1.3 * h + 0.5 * b(child.singleParent) + 0.8 * b(victimThisYear)))
    ) {
      const entry = dayInYear(k);
      if (entry) {
        const exit = plusDays(entry, rng.int(30, 500));
        protection = rng.bernoulli(0.55) && exit <= asOf ? { entry, exit } : { entry };
      }
    }
  }
  const adherence = sigmoid(2.0 - 1.3 * h - 0.5 * b(child.bracket === 40));
  for (let semester = 0; semester < 6; semester++) {
    const day = plusDays(asOf, -(182 * semester + rng.int(1, 182)));
    const attends = rng.bernoulli(adherence);
    if (attends && day >= child.birthDate && ageInYears(child.birthDate, day) < 6) checkups.push(day);
  }
  return { policeVictim, policeOffender, mentalHealth, drugTreatment, pregnancy, checkups, protection };
}

/** The child's true log-odds from what the sources can record (the caller adds the unobserved terms and the program's). */
export function observedLogOdds(
  child: ChildSituation,
  events: ChildEvents,
  household: HouseholdFacts,
  asOf: string,
): number {
  const age = ageInYears(child.birthDate, asOf);
  const adolescent = b(age >= 13);
  const within = (dates: readonly string[], from: number, to: number): number =>
    b(dates.some((d) => d <= asOf && daysBetween(d, asOf) >= from && daysBetween(d, asOf) <= to));
  const victim12 = within(events.policeVictim, 0, 365);
  const custodyNow = b(inCustodyOn(household, asOf));
  const p = events.protection;
  const protectionRecent = b(!!p && (p.exit === undefined || daysBetween(p.exit, asOf) <= 365));
  const protectionOlder = b(!!p?.exit && daysBetween(p.exit, asOf) > 365);
  const noCheckup = b(age >= 1 && age < 6 && within(events.checkups, 0, 365) === 0);
  const singleParent = b(child.singleParent);
  const crowding = b(child.crowdingCritical);
  const chronic = b(child.chronicAbsence);
  return (
    -5.2 +
    0.85 * b(child.bracket === 40) +
    0.3 * b(child.bracket === 50) +
    0.55 * singleParent +
    0.7 * crowding +
    0.35 * b(child.disability) -
    0.07 * (child.headSchooling - 10) +
    1.0 * chronic +
    0.9 * b(child.outOfSchool) +
    0.6 * b(child.withdrawn) +
    0.25 * adolescent +
    0.5 * chronic * adolescent +
    0.4 * singleParent * crowding +
    0.9 * victim12 +
    0.35 * within(events.policeVictim, 366, HISTORY_DAYS) +
    0.8 * within(events.policeOffender, 0, 365) +
    0.7 * within(events.mentalHealth, 0, 365) +
    0.6 * within(events.drugTreatment, 0, 365) +
    0.6 * within(events.pregnancy, 0, 365) +
    0.6 * noCheckup +
    1.0 * custodyNow +
    0.4 * b(releasedWithin(household, asOf, 730)) +
    0.9 * protectionRecent +
    0.3 * protectionOlder +
    0.5 * victim12 * singleParent +
    0.4 * custodyNow * b(age < 6)
  );
}

/** The terms no source records: the household strain's direct share and the child's own noise. */
export function unobservedLogOdds(rng: Rng, latent: number): number {
  return 0.4 * latent + rng.normal(0, 0.25);
}
