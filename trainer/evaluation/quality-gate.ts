// What an enrolment quality floor does to identification: a person whose photo misses the floor is
// asked for another (the next of their images that meets it); one with none that meets it fails to
// enrol and leaves the gallery, their images leaving the mated probes. Applied to a draw of
// identify.ts, so FNIR/FPIR with and without the floor come from the same galleries and probes.
import type { Draw } from './identify.js';

export interface GatedDraw { draw: Draw; failedToEnrol: number; retried: number; people: number }

/** The draw with each enrolment row replaced by the first of the person's rows that passes (gallery rows first, then mated ones). */
export function gateEnrolment(d: Draw, passes: (row: number) => boolean): GatedDraw {
  const mated = new Map<string, number[]>();
  for (const m of d.mated) mated.set(m.identity, [...(mated.get(m.identity) ?? []), m.row]);
  const out: Draw = { gallery: [], mated: [], nonMated: d.nonMated };
  let failedToEnrol = 0;
  let retried = 0;
  for (const g of d.gallery) {
    const probes = mated.get(g.identity) ?? [];
    const candidates = [...g.rows, ...probes];
    const enrol: number[] = [];
    for (const r of candidates) if (enrol.length < g.rows.length && passes(r)) enrol.push(r);
    if (!enrol.length) { failedToEnrol++; continue; }
    if (enrol.some((r, i) => r !== g.rows[i])) retried++;
    out.gallery.push({ identity: g.identity, rows: enrol });
    if (probes.length) for (const r of candidates) if (!enrol.includes(r)) out.mated.push({ row: r, identity: g.identity });
  }
  return { draw: out, failedToEnrol, retried, people: d.gallery.length };
}
