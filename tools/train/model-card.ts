/**
 * The model card written by `npm run train`: what the model is, the data it was fitted and tested
 * on, how it ranks and how well its probabilities are calibrated — each beside the oracle (the
 * true probabilities of the synthetic population) — and an audit of its errors across groups.
 * Every figure is computed from the test cohort in the same run.
 */

import { FEATURE_NAMES } from '../../functions/score/domain/features';
import type { ModelInfo } from '../../functions/score/domain/model-info';
import { findComuna } from '../../functions/shared/domain/comunas';
import type { HeadlineIntervals, Interval } from './bootstrap';
import type { PlattScaling } from './calibrate';
import type { AttributeAudit, CalibrationBin, GroupDisparity, RatioInterval } from './evaluation';
import { DISPARITY_RANGE, MIN_GROUP_REPORT, MIN_RATE_DENOMINATOR } from './evaluation';
import type { RateInterval } from './metrics';
import type { TemporalValidation } from './temporal';
import { temporalSection } from './temporal-card';

export interface CandidateSummary {
  readonly name: 'logistic' | 'boosted_trees';
  readonly detail: string;
  readonly scaling: PlattScaling;
  readonly validation: Scores;
  readonly test: Scores;
}

export interface CohortSummary {
  readonly role: 'train' | 'validation' | 'test';
  readonly cut: string;
  readonly seed: number;
  readonly rows: number;
  readonly baseRate: number;
  readonly model: Scores;
  readonly oracle: Scores;
}

export interface FeatureImportance {
  readonly name: string;
  /** Mean absolute contribution to the calibrated log-odds over the test cohort. */
  readonly meanAbsolute: number;
  /** Mean contribution among the children selected at capacity. */
  readonly meanSelected: number;
}

export interface Evaluation {
  readonly testRows: number;
  readonly baseRate: number;
  readonly capacity: number;
  readonly capacityShare: number;
  readonly model: Scores;
  readonly oracle: Scores;
  readonly modelCalibration: readonly CalibrationBin[];
  readonly oracleCalibration: readonly CalibrationBin[];
  /** Logistic recalibration of the test outcome on the model's logit (1 and 0 when calibrated). */
  readonly calibrationFit: { readonly slope: number; readonly intercept: number };
  /** Percentile bootstrap 95% intervals of the headline figures, over the test cohort's children. */
  readonly intervals: HeadlineIntervals;
  readonly audits: readonly AttributeAudit[];
  readonly selected: CandidateSummary['name'];
  /** How the selection went, in words with its figures. */
  readonly selection: string;
  readonly candidates: readonly CandidateSummary[];
  readonly cohorts: readonly CohortSummary[];
  /** Calibration and population stability across the cohorts (the card's temporal validation). */
  readonly temporal: TemporalValidation;
  readonly features: readonly FeatureImportance[];
  /** Standardised weights, when the logistic regression is selected. */
  readonly logisticWeights?: readonly number[];
}

export interface Scores {
  readonly auc: number;
  readonly prAuc: number;
  readonly precisionAtCapacity: number;
  readonly recallAtCapacity: number;
  readonly ece: number;
}

const f3 = (v: number): string => (Number.isFinite(v) ? v.toFixed(3) : '—');
/** A ratio with its 95% interval, as `1.144 (0.87–1.50)`. */
const withInterval = (v: number, i: RatioInterval | undefined): string =>
  i && Number.isFinite(v) ? `${v.toFixed(3)} (${i.low.toFixed(2)}–${i.high.toFixed(2)})` : f3(v);
/** A figure with its bootstrap 95% interval, as `0.814 (0.805–0.823)`. */
const boot = (v: number, i: Interval): string =>
  Number.isFinite(i.low) && Number.isFinite(i.high) ? `${signed(v)} (${span(i)})` : f3(v);
/** Negative figures with a minus sign, so that an interval's dash stays unambiguous. */
const signed = (v: number): string => f3(v).replace(/^-/, '−');
const span = (i: Interval): string => `${signed(i.low)}–${signed(i.high)}`;
const pct = (v: number): string => (Number.isFinite(v) ? `${(v * 100).toFixed(1)}%` : '—');
/** A rate with its Wilson 95% interval, as `1.9% (1.7–2.1)`. */
const rateWithInterval = (v: number, i: RateInterval | undefined): string =>
  i && Number.isFinite(v) ? `${pct(v)} (${(i.low * 100).toFixed(1)}–${(i.high * 100).toFixed(1)})` : pct(v);

/** The calibration plot: observed rate against mean predicted probability, model and oracle. */
export function calibrationSvg(model: readonly CalibrationBin[], oracle: readonly CalibrationBin[]): string {
  const size = 360;
  const pad = 40;
  const max = Math.max(
    0.05,
    ...model.map((b) => Math.max(b.meanPredicted, b.observedRate)),
    ...oracle.map((b) => b.observedRate),
  );
  const top = Math.min(1, Math.ceil(max * 10) / 10);
  const x = (v: number): number => pad + (v / top) * (size - 2 * pad);
  const y = (v: number): number => size - pad - (v / top) * (size - 2 * pad);
  const line = (bins: readonly CalibrationBin[]): string =>
    bins
      .map((b, i) => `${i === 0 ? 'M' : 'L'}${x(b.meanPredicted).toFixed(1)},${y(b.observedRate).toFixed(1)}`)
      .join(' ');
  const dots = (bins: readonly CalibrationBin[], color: string): string =>
    bins
      .map(
        (b) =>
          `<circle cx="${x(b.meanPredicted).toFixed(1)}" cy="${y(b.observedRate).toFixed(1)}" r="3" fill="${color}"/>`,
      )
      .join('');
  const ticks = [0, top / 2, top]
    .map(
      (t) =>
        `<text x="${x(t).toFixed(1)}" y="${size - pad + 16}" font-size="10" text-anchor="middle">${t.toFixed(2)}</text>` +
        `<text x="${pad - 6}" y="${(y(t) + 3).toFixed(1)}" font-size="10" text-anchor="end">${t.toFixed(2)}</text>`,
    )
    .join('');
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}" viewBox="0 0 ${size} ${size}" font-family="sans-serif" role="img">`,
    '<title>Calibración: tasa observada frente a probabilidad predicha, modelo y oráculo</title>',
    `<rect width="${size}" height="${size}" fill="white"/>`,
    `<line x1="${x(0)}" y1="${y(0)}" x2="${x(top)}" y2="${y(top)}" stroke="#999" stroke-dasharray="4 4"/>`,
    `<line x1="${pad}" y1="${size - pad}" x2="${size - pad}" y2="${size - pad}" stroke="black"/>`,
    `<line x1="${pad}" y1="${pad}" x2="${pad}" y2="${size - pad}" stroke="black"/>`,
    ticks,
    `<path d="${line(oracle)}" fill="none" stroke="#2a9d8f" stroke-width="2"/>${dots(oracle, '#2a9d8f')}`,
    `<path d="${line(model)}" fill="none" stroke="#e76f51" stroke-width="2"/>${dots(model, '#e76f51')}`,
    `<text x="${size / 2}" y="${size - 6}" font-size="11" text-anchor="middle">probabilidad predicha (media del decil)</text>`,
    `<text x="12" y="${size / 2}" font-size="11" text-anchor="middle" transform="rotate(-90 12 ${size / 2})">tasa observada</text>`,
    `<text x="${pad + 8}" y="${pad + 12}" font-size="11" fill="#e76f51">modelo</text>`,
    `<text x="${pad + 8}" y="${pad + 26}" font-size="11" fill="#2a9d8f">oráculo</text>`,
    '</svg>',
    '',
  ].join('\n');
}

export function modelCard(info: ModelInfo, e: Evaluation): string {
  const target = (ok: boolean): string => (ok ? 'met' : '**not met**');
  const aucGap = e.oracle.auc - e.model.auc;
  const precisionShare = e.model.precisionAtCapacity / e.oracle.precisionAtCapacity;
  const recallShare = e.model.recallAtCapacity / e.oracle.recallAtCapacity;
  const iv = e.intervals;
  const chosen = e.candidates.find((c) => c.name === e.selected);
  const features = [...e.features].sort((a, b) => b.meanAbsolute - a.meanAbsolute);
  const weights = e.logisticWeights;
  const lines: string[] = [
    `# Model card — ${info.version}`,
    '',
    'Risk of a rights violation (entry to specialised protection or a court protection measure) in the',
    'next 12 months, for children and adolescents of the SAN comunas. One indicator among several: field',
    'alerts take precedence over it on the roster, and every score is shown with its reasons.',
    '',
    '## Model and data',
    '',
    `- Selected: ${chosen?.detail ?? e.selected}, with a Platt scaling fitted on the validation cohort (slope ${f3(chosen?.scaling.slope ?? Number.NaN)}, intercept ${f3(chosen?.scaling.intercept ?? Number.NaN)}). Exported to ONNX with each feature's exact contribution to the log-odds.`,
    `- Data: synthetic cohorts from the project's generator — ${info.trainedOn}. Each cohort is a fresh population; features are computed as of the cut's last day from the 36 months before it, and the outcome is the next 12 months. Training-data SHA-256 \`${info.trainingDataSha256}\`; weights SHA-256 \`${info.weightsSha256}\` (the scorer recomputes it at load and refuses a model whose weights differ).`,
    `- Test cohort: ${e.testRows.toLocaleString('en')} children, base rate ${pct(e.baseRate)}; OLN capacity taken as the top ${pct(e.capacityShare)} (${e.capacity.toLocaleString('en')} children).`,
    '- The oracle is the true probability each synthetic child was drawn with: the best any model could do. Part of it comes from household strain and individual noise that no source records (see `tools/generate/life-events.ts`), so no model can reach it.',
    '',
    '## Performance on the test cohort',
    '',
    '| metric | model | oracle |',
    '|---|---:|---:|',
    `| AUC | ${f3(e.model.auc)} | ${f3(e.oracle.auc)} |`,
    `| PR-AUC (average precision) | ${f3(e.model.prAuc)} | ${f3(e.oracle.prAuc)} |`,
    `| precision at capacity | ${f3(e.model.precisionAtCapacity)} | ${f3(e.oracle.precisionAtCapacity)} |`,
    `| recall at capacity | ${f3(e.model.recallAtCapacity)} | ${f3(e.oracle.recallAtCapacity)} |`,
    `| expected calibration error (10 equal-count bins) | ${f3(e.model.ece)} | ${f3(e.oracle.ece)} |`,
    '',
    `95% intervals: percentile bootstrap over the test cohort's children (${e.intervals.resamples.toLocaleString('en')} resamples, seeded with the training seed). The oracle is resampled with the model, on the same children, so the gap and the ratios are judged on one interval each.`,
    '',
    '| figure | value (95% interval) |',
    '|---|---:|',
    `| AUC | ${boot(e.model.auc, iv.auc)} |`,
    `| AUC gap to the oracle (oracle − model) | ${boot(aucGap, iv.aucGap)} |`,
    `| precision at capacity | ${boot(e.model.precisionAtCapacity, iv.precisionAtCapacity)} |`,
    `| precision at capacity / oracle's | ${boot(precisionShare, iv.precisionRatio)} |`,
    `| recall at capacity | ${boot(e.model.recallAtCapacity, iv.recallAtCapacity)} |`,
    `| recall at capacity / oracle's (equals the precision ratio: same children, same capacity) | ${boot(recallShare, iv.recallRatio)} |`,
    `| expected calibration error | ${boot(e.model.ece, iv.ece)} |`,
    `| calibration slope (outcome on the model's logit) | ${boot(e.calibrationFit.slope, iv.calibrationSlope)} |`,
    `| calibration intercept | ${boot(e.calibrationFit.intercept, iv.calibrationIntercept)} |`,
    '',
    'Targets, each judged on its interval, not on the point estimate:',
    '',
    '| target | judged on | interval | result |',
    '|---|---|---:|---|',
    `| AUC gap to the oracle ≤ 0.02 | upper bound | ${span(iv.aucGap)} | ${target(iv.aucGap.high <= 0.02)} |`,
    `| precision at capacity ≥ 0.90 of the oracle's | lower bound | ${span(iv.precisionRatio)} | ${target(iv.precisionRatio.low >= 0.9)} |`,
    `| ECE ≤ 0.03 | upper bound | ${span(iv.ece)} | ${target(iv.ece.high <= 0.03)} |`,
    `| calibration slope within 0.9–1.1 | whole interval | ${span(iv.calibrationSlope)} | ${target(iv.calibrationSlope.low >= 0.9 && iv.calibrationSlope.high <= 1.1)} |`,
    '',
    '![Calibration: observed rate against predicted probability](calibration.svg)',
    '',
    '## Candidates and selection',
    '',
    'Both candidates are fitted on the training cohorts and calibrated on the validation cohort; the',
    'selection looks at the validation cohort only. The test figures of the candidate not selected are',
    'shown for transparency, not used.',
    '',
    '| candidate | validation AUC | validation precision at capacity | validation ECE | test AUC | test precision at capacity | test ECE |',
    '|---|---:|---:|---:|---:|---:|---:|',
    ...e.candidates.map(
      (c) =>
        `| ${c.name}${c.name === e.selected ? ' (selected)' : ''} | ${f3(c.validation.auc)} | ${f3(c.validation.precisionAtCapacity)} | ${f3(c.validation.ece)} | ${f3(c.test.auc)} | ${f3(c.test.precisionAtCapacity)} | ${f3(c.test.ece)} |`,
    ),
    '',
    `Rule: the boosted trees replace the logistic regression only if their validation precision at capacity is higher by more than one standard error; ${e.selection}.`,
    '',
    ...temporalSection(e.cohorts, e.temporal),
    '## Features',
    '',
    'Mean absolute contribution to the calibrated log-odds over the test cohort, and mean contribution',
    'among the children selected at capacity, largest first. The roster shows a feature as a reason only',
    "where it raises the child's risk and its words are true of the child; age is never shown.",
    '',
    `| feature | mean absolute contribution | mean among selected |${weights ? ' standardised weight | odds ratio per SD |' : ''}`,
    `|---|---:|---:|${weights ? '---:|---:|' : ''}`,
    ...features.map((f) => {
      const w = weights?.[FEATURE_NAMES.indexOf(f.name)];
      return `| ${f.name} | ${f.meanAbsolute.toFixed(3)} | ${f.meanSelected.toFixed(3)} |${w === undefined ? '' : ` ${w.toFixed(3)} | ${Math.exp(w).toFixed(2)} |`}`;
    }),
    '',
    '## Bias audit',
    '',
    `The roster's head (top ${pct(e.capacityShare)}) is the selection. For each group: false-negative rate (at-risk children`,
    'left out), false-positive rate (children selected without the outcome), predicted-positive rate, and',
    `their ratio to the largest group's. Each rate comes with its 95% Wilson score interval, which stays`,
    'inside 0–100% and does not shrink to a point when a group has none or all of its children selected.',
    `Ratios outside ${DISPARITY_RANGE.low}–${DISPARITY_RANGE.high} are flagged; groups under 100 children are listed without ratios.`,
    'Each ratio comes with its 95% interval (Katz, on the log scale): a flag whose',
    'interval lies wholly outside the range is **flagged**; one whose interval reaches into the range is *uncertain*,',
    'and may be sampling noise, which is likely where few children are selected (the `selected` column).',
    `Groups of fewer than ${MIN_GROUP_REPORT} children are not reported (too few to estimate a rate, and too few to keep`,
    `the children unidentifiable); within a group, a rate over fewer than ${MIN_RATE_DENOMINATOR} children (an FNR over fewer than`,
    `${MIN_RATE_DENOMINATOR} at-risk children, say) is shown as —. Each attribute says which groups, if any, were left out.`,
    "The zone is the registry's (`ZONA`); `sin dato` are dwellings the extract leaves blank or unreadable.",
    '',
  ];
  for (const audit of e.audits) {
    lines.push(`### ${audit.attribute} (reference: ${label(audit.attribute, audit.reference)})`, '');
    lines.push(
      '| group | n | selected | prevalence | FNR | FPR | PPR | FNR ratio | FPR ratio | PPR ratio | flag |',
    );
    lines.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|');
    for (const g of audit.groups) {
      lines.push(
        `| ${label(audit.attribute, g.group)} | ${g.count} | ${g.selectedCount} | ${rateWithInterval(g.prevalence, g.prevalenceInterval)} | ` +
          `${rateWithInterval(g.falseNegativeRate, g.fnrRateInterval)} | ${rateWithInterval(g.falsePositiveRate, g.fprRateInterval)} | ` +
          `${rateWithInterval(g.predictedPositiveRate, g.pprRateInterval)} | ${withInterval(g.fnrDisparity, g.fnrInterval)} | ${withInterval(g.fprDisparity, g.fprInterval)} | ` +
          `${withInterval(g.pprDisparity, g.pprInterval)} | ${g.confident ? '**flagged**' : g.flagged ? '*uncertain*' : ''} |`,
      );
    }
    lines.push('', suppressedLine(audit), '');
  }
  const named = (keep: (g: GroupDisparity) => boolean): string[] =>
    e.audits.flatMap((a) =>
      a.groups.filter(keep).map((g) => `${a.attribute} = ${label(a.attribute, g.group)}`),
    );
  const flagged = named((g) => g.confident);
  const uncertain = named((g) => g.flagged && !g.confident);
  lines.push(
    '## Reading the audit',
    '',
    flagged.length === 0 && uncertain.length === 0
      ? 'No group is outside the range.'
      : [
          flagged.length > 0
            ? `Flagged: ${flagged.join('; ')}.`
            : 'No group is outside the range beyond sampling noise.',
          uncertain.length > 0
            ? `Outside the range, but with an interval that reaches into it: ${uncertain.join('; ')}.`
            : '',
          'A higher predicted-positive rate where the base rate is also higher is expected of an accurate model; a higher false-positive rate means more children of that group are selected without needing it, and a higher false-negative rate means more at-risk children of that group are missed. Both deserve review before the roster is used for that group.',
        ]
          .filter((t) => t !== '')
          .join(' '),
    '',
    '## Limits',
    '',
    '- Trained and evaluated on synthetic data only; real-world performance is unknown until validated on real cohorts.',
    "- Prison stays are joined to children through the civil registry's filiation, within the comuna where the adult resides: a parent living in another comuna is not seen.",
    '- Precision at capacity on one cohort moves by a few points from sample to sample (see the standard error above); the temporal table shows how much it varies across years.',
    '',
  );
  return lines.join('\n');
}

/** Which groups of the attribute the audit leaves out, and why; says so when none is. */
export function suppressedLine(audit: AttributeAudit): string {
  if (audit.suppressed.length === 0)
    return `No group suppressed (every group has at least ${MIN_GROUP_REPORT} children).`;
  return `Suppressed, fewer than ${MIN_GROUP_REPORT} children: ${audit.suppressed
    .map((g) => `${label(audit.attribute, g.group)} (${g.count})`)
    .join('; ')}.`;
}

function label(attribute: string, group: string): string {
  return attribute === 'comuna' ? `${findComuna(group)?.name ?? group} (${group})` : group;
}
