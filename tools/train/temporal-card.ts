/**
 * The model card's "Temporal validation" section: the selected model on every cohort, oldest first,
 * with calibration in the large, calibration in the comunas where the prevention program opened
 * against the others, the population stability of every feature and of the score against the
 * training cohorts, and a paragraph of findings written from those figures (no sentence of it is
 * fixed text that could outlive the numbers).
 */
import type { DriftLevel } from '../../functions/score/domain/drift';
import { levelOf } from '../../functions/score/domain/drift';
import { findComuna } from '../../functions/shared/domain/comunas';
import type { CalibrationInTheLarge, CohortCalibration, TemporalValidation } from './temporal';

/** The per-cohort figures the section shows beside calibration (a subset of the card's cohort summary). */
export interface CohortFigures {
  readonly role: 'train' | 'validation' | 'test';
  readonly cut: string;
  readonly seed: number;
  readonly rows: number;
  readonly baseRate: number;
  readonly model: { readonly auc: number; readonly precisionAtCapacity: number; readonly ece: number };
  readonly oracle: { readonly auc: number; readonly precisionAtCapacity: number };
}

const f3 = (v: number): string => (Number.isFinite(v) ? v.toFixed(3) : '—');
const f2 = (v: number): string => (Number.isFinite(v) ? v.toFixed(2) : '—');
const pct = (v: number): string => (Number.isFinite(v) ? `${(v * 100).toFixed(1)}%` : '—');
const LEVEL: Readonly<Record<DriftLevel, string>> = { estable: 'stable', vigilar: 'watch', actuar: 'act' };
/** A test cohort whose observed over expected cases is this far from 1 anywhere calls for recalibration. */
export const RECALIBRATION_GAP = 0.1;
const key = (c: { cut: string; seed: number }): string => `${c.cut}/${c.seed}`;

/** Observed over predicted cases pooled over several cohorts' parts. */
function pooled(parts: readonly CalibrationInTheLarge[]): CalibrationInTheLarge {
  const rows = parts.reduce((s, p) => s + p.rows, 0);
  const observed = parts.reduce((s, p) => s + (p.rows > 0 ? p.observed * p.rows : 0), 0);
  const predicted = parts.reduce((s, p) => s + (p.rows > 0 ? p.predicted * p.rows : 0), 0);
  return {
    rows,
    observed: rows > 0 ? observed / rows : Number.NaN,
    predicted: rows > 0 ? predicted / rows : Number.NaN,
    ratio: predicted > 0 ? observed / predicted : Number.NaN,
  };
}

/** "over-predicts the cases by 12%" / "under-predicts … by 5%" / "is calibrated in the large". */
function calibrationWords(ratio: number): string {
  if (!Number.isFinite(ratio)) return 'cannot be judged (no cases predicted)';
  const off = Math.round(Math.abs(1 / ratio - 1) * 100);
  if (off < 2) return 'is calibrated in the large';
  return ratio < 1
    ? `expects ${off}% more cases than occur (it over-predicts)`
    : `expects ${Math.round((1 - 1 / ratio) * 100)}% fewer cases than occur (it under-predicts)`;
}

const comunaNames = (codes: readonly string[]): string =>
  codes.map((c) => findComuna(c)?.name ?? c).join(', ');

/** The findings, as sentences computed from the section's figures. */
export function temporalFindings(cohorts: readonly CohortFigures[], t: TemporalValidation): string {
  const ordered = [...cohorts].sort((a, b) => (a.cut < b.cut ? -1 : a.cut > b.cut ? 1 : a.seed - b.seed));
  const first = ordered[0];
  const last = ordered[ordered.length - 1];
  const calibrationOf = new Map(t.cohorts.map((c) => [key(c), c]));
  const tests = t.cohorts.filter((c) => c.role === 'test');
  const test = tests[tests.length - 1];
  if (!first || !last || !test) return 'No test cohort: nothing to report.';
  const sentences: string[] = [];
  /** "goes from a to b", or "stays at a" when both read the same. */
  const moves = (from: string, to: string): string =>
    from === to ? `stays at ${from}` : `goes from ${from} to ${to}`;
  sentences.push(
    `From ${first.cut} to ${last.cut} the base rate ${moves(pct(first.baseRate), pct(last.baseRate))}, ` +
      `the model's AUC ${moves(f3(first.model.auc), f3(last.model.auc))} and the oracle's ${moves(f3(first.oracle.auc), f3(last.oracle.auc))}.`,
  );
  sentences.push(
    `On the test cohort (${test.cut}) the model predicts ${pct(test.all.predicted)} against ${pct(test.all.observed)} observed: it ${calibrationWords(test.all.ratio)}.`,
  );
  const training = t.cohorts.filter((c) => c.role === 'train');
  const programBefore = pooled(training.map((c) => c.program));
  const othersBefore = pooled(training.map((c) => c.others));
  sentences.push(
    `In the comunas where the program opened (${comunaNames(t.programComunas)}) observed over expected cases is ` +
      `${f2(test.program.ratio)} on the test cohort (${f2(programBefore.ratio)} on the training cohorts); elsewhere ${f2(test.others.ratio)} (${f2(othersBefore.ratio)}). ` +
      `There the model ${calibrationWords(test.program.ratio)}; elsewhere it ${calibrationWords(test.others.ratio)}.`,
  );
  const stability = t.stability.find((s) => key(s) === key(test));
  if (stability) {
    const act = stability.features.filter((f) => f.level === 'actuar');
    const watch = stability.features.filter((f) => f.level === 'vigilar');
    const listed = (fs: typeof act): string =>
      [...fs]
        .sort((a, b) => b.psi - a.psi)
        .map((f) => `${f.feature} (${f3(f.psi)})`)
        .join(', ');
    const largest = [...stability.features].sort((a, b) => b.psi - a.psi)[0];
    const features =
      act.length + watch.length === 0
        ? `no feature reaches the watch threshold of ${t.thresholds.watch}${largest ? ` (the largest is ${largest.feature}, ${f3(largest.psi)})` : ''}`
        : [
            act.length > 0
              ? `${act.length} reach the action threshold of ${t.thresholds.act}: ${listed(act)}`
              : '',
            watch.length > 0
              ? `${watch.length} the watch threshold of ${t.thresholds.watch}: ${listed(watch)}`
              : '',
          ]
            .filter((s) => s !== '')
            .join('; ');
    sentences.push(
      `Against the training cohorts, the score's PSI on the test cohort is ${f3(stability.score.psi)} (${LEVEL[stability.score.level]}); among the features, ${features}.`,
    );
    const gap = Math.abs(test.program.ratio - test.others.ratio);
    if (stability.score.level === 'estable' && gap >= 0.1) {
      sentences.push(
        `The score's distribution is stable while its calibration in the program's comunas is not (observed over expected differs by ${f2(gap)} between the two groups of comunas): a change of the outcome given the inputs leaves every PSI unmoved and shows only once the outcomes are known.`,
      );
    }
  }
  const validation = ordered.filter((c) => c.role === 'validation').at(-1);
  const validationCalibration = validation ? calibrationOf.get(key(validation)) : undefined;
  const parts = [
    { name: 'over all comunas', value: test.all },
    { name: "in the program's comunas", value: test.program },
    { name: 'in the other comunas', value: test.others },
  ].filter((p) => Number.isFinite(p.value.ratio));
  const worst = parts.sort((a, b) => Math.abs(b.value.ratio - 1) - Math.abs(a.value.ratio - 1))[0];
  if (validationCalibration && worst && Math.abs(worst.value.ratio - 1) >= RECALIBRATION_GAP) {
    sentences.push(
      `The Platt scaling was fitted on the validation cohort (${validationCalibration.cut}, observed over expected ${f2(validationCalibration.all.ratio)} there); with observed over expected at ${f2(worst.value.ratio)} ${worst.name} on the test cohort, the model should be recalibrated on the latest cohort with known outcomes before it is used.`,
    );
  }
  return sentences.join(' ');
}

function calibrationRow(c: CohortCalibration): string {
  const part = (p: CalibrationInTheLarge): string =>
    `${p.rows.toLocaleString('en')} | ${pct(p.observed)} | ${pct(p.predicted)} | ${f2(p.ratio)}`;
  return `| ${c.cut} | ${c.role} | ${c.seed} | ${part(c.program)} | ${part(c.others)} |`;
}

/** The section's markdown lines, from its heading to the findings. */
export function temporalSection(cohorts: readonly CohortFigures[], t: TemporalValidation): string[] {
  const calibrationOf = new Map(t.cohorts.map((c) => [key(c), c]));
  const ordered = [...cohorts].sort((a, b) => (a.cut < b.cut ? -1 : a.cut > b.cut ? 1 : a.seed - b.seed));
  const sameCut = (cut: string): number => t.stability.filter((s) => s.cut === cut).length;
  const heading = (s: { cut: string; role: string; seed: number }): string =>
    `${s.cut} (${s.role}${sameCut(s.cut) > 1 ? `, seed ${s.seed}` : ''})`;
  const latest = t.stability[t.stability.length - 1];
  const psiOf = (s: TemporalValidation['stability'][number], feature: string): number =>
    s.features.find((f) => f.feature === feature)?.psi ?? Number.NaN;
  const features = latest
    ? [...latest.features]
        .sort((a, b) => b.psi - a.psi || a.feature.localeCompare(b.feature))
        .map((f) => f.feature)
    : [];
  const cell = (psi: number, level?: DriftLevel): string =>
    `${f3(psi)}${level && level !== 'estable' ? ` (${LEVEL[level]})` : ''}`;
  return [
    '## Temporal validation',
    '',
    `The generator's cuts drift from year to year as documented in \`tools/generate/yearly-drift.ts\`; one of the changes is a prevention program that opens in ${t.programOpening} in ${comunaNames(t.programComunas)} and lowers the outcome there without any source recording it. ` +
      'The selected model on every cohort, oldest first (training cohorts are in-sample). Calibration in the large is the observed rate against the mean predicted probability; their ratio is observed over expected cases, below 1 where the model over-predicts.',
    '',
    '| cut | role | seed | children | base rate | mean predicted | observed / expected | AUC | oracle AUC | precision at capacity | oracle precision | ECE |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...ordered.map((c) => {
      const large = calibrationOf.get(key(c))?.all;
      return `| ${c.cut} | ${c.role} | ${c.seed} | ${c.rows.toLocaleString('en')} | ${pct(c.baseRate)} | ${pct(large?.predicted ?? Number.NaN)} | ${f2(large?.ratio ?? Number.NaN)} | ${f3(c.model.auc)} | ${f3(c.oracle.auc)} | ${f3(c.model.precisionAtCapacity)} | ${f3(c.oracle.precisionAtCapacity)} | ${f3(c.model.ece)} |`;
    }),
    '',
    `Calibration in the large in the comunas where the program opened (${comunaNames(t.programComunas)}) and in the others:`,
    '',
    '| cut | role | seed | program: children | observed | predicted | observed / expected | others: children | observed | predicted | observed / expected |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...t.cohorts.map(calibrationRow),
    '',
    `Population stability index of the score and of each feature in every later cohort against the training cohorts pooled, PSI = Σ (a − e) · ln(a / e) over the training cohorts' deciles (a flag's two categories), computed by the per-cut monitoring's code (\`functions/score/domain/drift.ts\`): from ${t.thresholds.watch} *watch*, from ${t.thresholds.act} *act*. Features are ordered by their PSI on the latest cohort.`,
    '',
    `| | ${t.stability.map(heading).join(' | ')} |`,
    `|---|${t.stability.map(() => '---:|').join('')}`,
    `| score | ${t.stability.map((s) => cell(s.score.psi, s.score.level)).join(' | ')} |`,
    ...features.map(
      (name) =>
        `| ${name} | ${t.stability.map((s) => cell(psiOf(s, name), levelOf(psiOf(s, name)))).join(' | ')} |`,
    ),
    '',
    `**Findings.** ${temporalFindings(cohorts, t)}`,
    '',
  ];
}
