/**
 * The model card's "Risky by association" section, written from the figures of `association.ts` and
 * the configured head rule: the text that states the default and whether the measurement supports it
 * is generated, never written by hand.
 */
import { MIN_REASON_WEIGHT } from '../../functions/score/domain/prioritise';
import type { AssociationReport, GroupSelection } from './association';
import { supportedDefault } from './association';
import { MIN_GROUP_REPORT } from './evaluation';
import type { RateInterval } from './metrics';

const f3 = (v: number): string => (Number.isFinite(v) ? v.toFixed(3).replace(/^-/, '−') : '—');
const pct = (v: number): string => (Number.isFinite(v) ? `${(v * 100).toFixed(1)}%` : '—');
const rate = (v: number, i: RateInterval | undefined): string =>
  i && Number.isFinite(v) ? `${pct(v)} (${(i.low * 100).toFixed(1)}–${(i.high * 100).toFixed(1)})` : pct(v);
const share = (x: number, n: number): string =>
  `${x.toLocaleString('en')} (${pct(n > 0 ? x / n : Number.NaN)})`;
const onOff = (on: boolean): string => (on ? 'on' : 'off');

export function associationSection(a: AssociationReport): string[] {
  const e = a.effect;
  const supported = supportedDefault(e);
  const configured = a.configured.requireChildSignal;
  const lost = e.off.truePositives - e.on.truePositives;
  const groupRow = (attribute: string, g: GroupSelection): string =>
    `| ${attribute} | ${g.group} | ${g.count.toLocaleString('en')} | ${g.off.selected} | ${rate(g.off.rate, g.off.interval)} | ` +
    `${g.on.selected} | ${rate(g.on.rate, g.on.interval)} | ${g.off.selected > 0 ? (g.on.rate / g.off.rate).toFixed(3) : '—'} |`;
  return [
    '## Risky by association',
    '',
    `Among the children selected at each comuna's own capacity (\`functions/shared/config/oln-capacity.json\`) on ${a.cohorts === 1 ? `the test cohort (cut ${a.cut})` : `the ${a.cohorts} test cohorts pooled (cut ${a.cut}, each cohort its own roster)`}.`,
    "The **household share** of a child's score is the sum of the positive contributions to the calibrated log-odds of",
    'the household features (those whose reason concerns `hogar`: the Registro Social de Hogares data and a parent deprived',
    'of liberty) over the sum of the positive contributions of every feature that can be a reason; context features (age)',
    "are left out, and negative contributions count for neither. The reasons are the roster's own (`topReasons`): at most",
    `three, each raising the log-odds by at least ${MIN_REASON_WEIGHT} and true of the child's own values.`,
    '',
    '| candidate | selected | household share: mean | median | 90th percentile | household reasons among reasons shown | only household reasons | no reason shown | most frequent first reasons |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---|',
    ...a.candidates.map(
      (c) =>
        `| ${c.name}${c.name === a.measuredOn ? ' (selected)' : ''} | ${c.selected.toLocaleString('en')} | ${pct(c.share.mean)} | ${pct(c.share.median)} | ${pct(c.share.p90)} | ` +
        `${share(c.householdReasons, c.reasonsShown)} of ${c.reasonsShown.toLocaleString('en')} | ${share(c.householdOnly, c.selected)} | ${share(c.noReason, c.selected)} | ` +
        `${c.headReasons.map((h) => `${h.feature} (${h.concerns}, ${h.count})`).join('; ')} |`,
    ),
    '',
    '### The head rule: at least one child-level signal',
    '',
    'With the rule on, a child none of whose shown reasons concerns the child (household reasons only, or none) is not part',
    "of the model's head: it stays on the roster with its score and reasons, after every child with a child-level reason",
    '(children with an open alert still come first), and its entry says so. Both arms select the same number of children',
    `in each comuna. Measured on ${a.measuredOn}; precision and recall with 95% Wilson intervals, the change in precision with its`,
    `paired percentile bootstrap interval (${e.resamples.toLocaleString('en')} resamples of the children, the same in both arms, selections held fixed).`,
    '',
    '| figure | rule off | rule on |',
    '|---|---:|---:|',
    `| selected | ${e.off.selected.toLocaleString('en')} | ${e.on.selected.toLocaleString('en')} |`,
    `| selected with the outcome | ${e.off.truePositives} | ${e.on.truePositives} |`,
    `| precision at capacity | ${rate(e.off.precision, e.off.precisionInterval)} | ${rate(e.on.precision, e.on.precisionInterval)} |`,
    `| recall at capacity | ${rate(e.off.recall, e.off.recallInterval)} | ${rate(e.on.recall, e.on.recallInterval)} |`,
    `| selected without a child-level reason | ${share(e.off.withoutChildSignal, e.off.selected)} | ${share(e.on.withoutChildSignal, e.on.selected)} |`,
    '',
    `Change in precision with the rule on: ${f3(e.precisionChange)} (${f3(e.precisionChangeInterval.low)} to ${f3(e.precisionChangeInterval.high)}); ` +
      `${e.overlap.toLocaleString('en')} children are selected in both arms, ${(e.off.selected - e.overlap).toLocaleString('en')} change places.`,
    '',
    'Selection rate of each audited group (share of the group selected), with its 95% Wilson interval. The comuna is not',
    'shown: each selects its own capacity in both arms.',
    '',
    '| attribute | group | n | selected, off | rate, off | selected, on | rate, on | on / off |',
    '|---|---|---:|---:|---:|---:|---:|---:|',
    ...e.groups.flatMap((g) => g.groups.map((row) => groupRow(g.attribute, row))),
    '',
    e.suppressed.length === 0
      ? `No group suppressed (every group has at least ${MIN_GROUP_REPORT} children).`
      : `Suppressed, fewer than ${MIN_GROUP_REPORT} children: ${e.suppressed.map((s) => `${s.attribute} = ${s.group} (${s.count})`).join('; ')}.`,
    '',
    `**Default.** Criterion: the rule is on unless it costs more precision at capacity than one standard error of it (${f3(e.standardError)}, with the rule off), the tolerance the candidate selection uses. ` +
      `With the rule on, precision goes from ${f3(e.off.precision)} to ${f3(e.on.precision)} (${Math.abs(lost)} ${lost >= 0 ? 'fewer' : 'more'} ${Math.abs(lost) === 1 ? 'child' : 'children'} with the outcome among the ${e.off.selected.toLocaleString('en')} selected) ` +
      `and the children selected without a child-level reason from ${e.off.withoutChildSignal} to ${e.on.withoutChildSignal}. ` +
      `The measurement supports the rule **${onOff(supported)}**. Configured (\`functions/shared/config/prioritisation.json\`): \`requireChildSignal: ${configured}\`, the rule ${onOff(configured)}` +
      (configured === supported
        ? ', as the measurement supports.'
        : ', against what the measurement supports: the setting deserves review.'),
    '',
  ];
}
