/**
 * The model card written by `npm run train`: what the model is, the data it was fitted and tested
 * on, how it ranks and how well its probabilities are calibrated — each beside the oracle (the
 * true probabilities of the synthetic population) — and an audit of its errors across groups.
 * Every figure is computed from the test cohorts in the same run, at the rule production uses: the
 * head of each comuna's own roster at its own OLN capacity.
 */

import { FEATURE_NAMES } from '../../functions/score/domain/features';
import type { ModelInfo } from '../../functions/score/domain/model-info';
import type { AssociationReport } from './association';
import { associationSection } from './association-card';
import type { PlattScaling } from './calibrate';
import { f3, label, pct, rateWithInterval, withInterval } from './card-format';
import type { HeadlineEvaluation, Scores } from './card-performance';
import { capacitySection, performanceSection } from './card-performance';
import type { AttributeAudit, CalibrationBin, GroupDisparity } from './evaluation';
import { DISPARITY_RANGE, MIN_GROUP_REPORT, MIN_RATE_DENOMINATOR } from './evaluation';
import type { TemporalValidation } from './temporal';
import { temporalSection } from './temporal-card';

export type { ComunaPrecision, Scores, TestCohortEvaluation } from './card-performance';
export { judgeTarget, TARGETS } from './card-performance';

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
  /** Mean absolute contribution to the calibrated log-odds over the test cohorts. */
  readonly meanAbsolute: number;
  /** Mean contribution among the children selected at capacity. */
  readonly meanSelected: number;
}

export interface Evaluation extends HeadlineEvaluation {
  /** Children and base rate over the test cohorts pooled. */
  readonly testRows: number;
  readonly baseRate: number;
  readonly modelCalibration: readonly CalibrationBin[];
  readonly oracleCalibration: readonly CalibrationBin[];
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
  /** How much of the selection rests on the household, and the head rule's effect. */
  readonly association?: AssociationReport;
}

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
  const chosen = e.candidates.find((c) => c.name === e.selected);
  const features = [...e.features].sort((a, b) => b.meanAbsolute - a.meanAbsolute);
  const weights = e.logisticWeights;
  const cohorts = e.testCohorts;
  const perCohortCapacity = cohorts.map((c) => c.capacities.reduce((s, k) => s + k.capacity, 0));
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
    `- Test cohorts: ${cohorts.length} independent populations at the test cut (${cohorts.map((c) => `seed ${c.seed}: ${c.rows.toLocaleString('en')} children, base rate ${pct(c.baseRate)}`).join('; ')}).`,
    `- OLN capacity, the rule production uses: per comuna, the head of the comuna's own ranking at the share of its children its office can take (\`functions/shared/config/oln-capacity.json\`, rounded, at least one child), ties broken by child pseudonym${e.association?.configured.requireChildSignal ? "; in the roster's order, so under the head rule as configured (`functions/shared/config/prioritisation.json`, *Risky by association* below) a child with no child-level reason ranks after every child with one. The oracle, which has no reasons, takes its own head by probability alone" : ''}. On the test cohorts that is ${perCohortCapacity.map((k, i) => `${k.toLocaleString('en')} children (${pct(k / (cohorts[i]?.rows ?? Number.NaN))})`).join(', ')}; each comuna's share and capacity are under *Capacity and precision per comuna*.`,
    '- The oracle is the true probability each synthetic child was drawn with: the best any model could do. Part of it comes from household strain and individual noise that no source records (see `tools/generate/life-events.ts`), so no model can reach it. Its selection at capacity is the same rule on its own ranking.',
    '',
    ...performanceSection(e),
    '![Calibration: observed rate against predicted probability](calibration.svg)',
    '',
    ...capacitySection(e),
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
    `Rule: the boosted trees replace the logistic regression only if their validation precision at each comuna's capacity is higher by more than one standard error (stratified by comuna: each comuna's head is a sample of its own size); ${e.selection}.`,
    '',
    ...temporalSection(e.cohorts, e.temporal),
    '## Features',
    '',
    'Mean absolute contribution to the calibrated log-odds over the test cohorts, and mean contribution',
    "among the children selected at capacity (each comuna's head in each cohort), largest first. The roster shows a feature as a reason only",
    "where it raises the child's risk and its words are true of the child; age is never shown.",
    '',
    `| feature | mean absolute contribution | mean among selected |${weights ? ' standardised weight | odds ratio per SD |' : ''}`,
    `|---|---:|---:|${weights ? '---:|---:|' : ''}`,
    ...features.map((f) => {
      const w = weights?.[FEATURE_NAMES.indexOf(f.name)];
      return `| ${f.name} | ${f.meanAbsolute.toFixed(3)} | ${f.meanSelected.toFixed(3)} |${w === undefined ? '' : ` ${w.toFixed(3)} | ${Math.exp(w).toFixed(2)} |`}`;
    }),
    '',
    ...(e.association ? associationSection(e.association) : []),
    '## Bias audit',
    '',
    `Over the ${cohorts.length} test cohorts pooled (${e.testRows.toLocaleString('en')} children), the selection is each cohort's roster at each comuna's capacity. For each group: false-negative rate (at-risk children`,
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
    '- Precision at capacity on one cohort moves by a few points from sample to sample (see the intervals and the spread across the test cohorts above); the temporal table shows how much it varies across years. In a small comuna the head is a handful of children a year, so its precision is known only roughly (see its interval).',
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
