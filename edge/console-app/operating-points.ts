// The model panel's operating points (GET /v1/model operatingPoints): the thresholds verify and
// identify apply by default and why, the expected chance that a stranger is named at this gallery's
// size (N: the comparisons it makes, one per enrolled image) and at others, the floor no request may
// go below, and the model's T by cross-validation.
import { $, el, fmt } from './core';
import type { ModelInfo, OperatingPoint, OperatingPoints } from './types';

/** A rate as a person reads it, to two significant digits: 0.01 → "1%", 4.2e-4 → "0.042%", 1e-7 → "0.00001%". */
export const percent = (rate: number) => `${(rate * 100).toLocaleString('en', { maximumSignificantDigits: 2, maximumFractionDigits: 20 })}%`;

const threshold = (op: { similarity: number }) => `similarity > ${fmt(op.similarity)}`;

/** What the impostor table measured at the threshold used. */
function measured(op: OperatingPoint): string {
  if (op.measured) {
    const m = op.measured;
    const bound = op.source === 'threshold' || op.source === 'cv' ? 'at most ' : '';
    return `measured on ${m.table}: ${bound}${percent(m.far)} of ${m.impostorPairs.toLocaleString('en')} different-person pairs accepted (${m.falseAccepts.toLocaleString('en')}), ${percent(m.tar)} of same-person pairs`;
  }
  return op.roc ? `on the manifest's ROC: ${percent(op.roc.far)} false accepts, ${percent(op.roc.tar)} true accepts` : '';
}

/** identify's N: the comparisons it made (older servers report identities only). */
const comparisons = (op: OperatingPoint) => op.comparisons ?? op.identities ?? 0;

function identifyLine(op: OperatingPoint, o: OperatingPoints): string {
  if (op.source === 'cv') return `${threshold(op)}: the model's T (this manifest has no impostor table, so the gallery size cannot be taken into account)`;
  const n = op.identities ?? 0, N = comparisons(op);
  const expected = op.expectedFpir === undefined ? '' : `; a stranger is expected to be named ${percent(op.expectedFpir)} of the time`;
  const clamped = op.clamped ? ` — finer than the table resolves, so its strictest point is used and the target ${percent(o.settings.identifyFpir)} is not reached` : '';
  return `${n.toLocaleString('en')} identities searched, N = ${N.toLocaleString('en')} comparisons (one per enrolled image): ${threshold(op)} (per comparison ≤ ${percent(op.far ?? 0)} false accepts, for ${percent(o.settings.identifyFpir)} over all ${N.toLocaleString('en')})${expected}${clamped}`;
}

function sizeTable(o: OperatingPoints, current: OperatingPoint | null) {
  const rows = [...o.identifyBySize];
  const isCurrent = (r: OperatingPoint) => current !== null && comparisons(r) === comparisons(current);
  if (current && !rows.some(isCurrent)) rows.push(current);
  rows.sort((a, b) => comparisons(a) - comparisons(b));
  const cell = (v: string) => el('td', {}, v);
  return el(
    'table',
    { id: 'identify-by-size' },
    el('caption', { class: 'muted' }, `identify's default (IDENTIFY_FPIR ${percent(o.settings.identifyFpir)}) as the gallery grows; the current gallery is marked`),
    el('thead', {}, el('tr', {}, ...['Comparisons N (identities of one image each)', 'Per-comparison false accept rate', 'Threshold', 'Expected chance a stranger is named', 'Same-person pairs accepted'].map((h) => el('th', { scope: 'col' }, h)))),
    el(
      'tbody',
      {},
      ...rows.map((r) =>
        el(
          'tr',
          isCurrent(r) ? { class: 'current', 'aria-current': 'true' } : {},
          el('th', { scope: 'row' }, `${comparisons(r).toLocaleString('en')}${isCurrent(r) ? ` (this gallery: ${(current!.identities ?? 0).toLocaleString('en')} identities)` : ''}`),
          cell(r.far === undefined ? '—' : percent(r.far)),
          cell(fmt(r.similarity)),
          cell(r.expectedFpir === undefined ? '—' : `${percent(r.expectedFpir)}${r.clamped ? ' (table limit)' : ''}`),
          cell(r.measured ? percent(r.measured.tar) : '—'),
        ),
      ),
    ),
  );
}

export function renderOperatingPoints(m: ModelInfo) {
  const o = m.operatingPoints;
  const box = $('#operating-points');
  if (!o) {
    box.replaceChildren(el('p', { class: 'muted' }, 'This server does not report its operating points.'));
    return;
  }
  const table = o.impostors ? o.impostors.tables[o.impostors.served] : undefined;
  const facts: [string, string][] = [
    [
      'Verify (default)',
      o.verify.source === 'cv'
        ? `${threshold(o.verify)}: the model's T (no impostor table in this manifest)`
        : `${threshold(o.verify)}, for at most ${percent(o.settings.verifyFar)} false accepts per comparison (VERIFY_FAR)${o.verify.clamped ? ', the strictest point the table resolves' : ''}; ${measured(o.verify)}`,
    ],
    ['Identify (default), this gallery', o.identify ? identifyLine(o.identify, o) : 'the gallery could not be read'],
    [
      'Floor',
      o.floor
        ? `no request may ask for a threshold below similarity ${fmt(o.floor.similarity)} (false accept rate ${percent(o.floor.far)}, THRESHOLD_FLOOR_FAR; from ${o.floor.from === 'impostors' ? 'the impostor table' : o.floor.from === 'roc' ? "the manifest's ROC" : "the model's T"})`
        : 'none (THRESHOLD_FLOOR_FAR is 1)',
    ],
    [
      "The model's T (cross-validation)",
      `${threshold(o.cv)}${o.cv.measured ? `, ${measured(o.cv)}` : ''}; per request with operatingPoint=cv${o.floor && o.cv.score < o.floor.score ? ', refused here: it is looser than the floor' : ''}`,
    ],
    ['Impostor table', table ? `${o.impostors!.served}: ${table.source} — ${table.impostorPairs.toLocaleString('en')} different-person pairs of ${table.identities.toLocaleString('en')} people` : "none: the defaults fall back to the model's T"],
  ];
  box.replaceChildren(el('dl', { id: 'operating-facts' }, ...facts.flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)])), table ? sizeTable(o, o.identify) : '');
}
