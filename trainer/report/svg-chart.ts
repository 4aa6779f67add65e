// Minimal inline-SVG charts for the HTML report: line charts (with optional marked points) and
// overlaid histograms, no dependencies, deterministic output.

export interface Series { name: string; points: [number, number][]; color: string; dashed?: boolean }
export interface Marker { x: number; y: number; label?: string; color: string }
export interface ChartOptions { title: string; xLabel: string; yLabel: string; width?: number; height?: number; vLine?: { x: number; label: string }; markers?: Marker[] }

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
const min = (a: number[]) => a.reduce((m, v) => (Number.isFinite(v) && v < m ? v : m), Infinity);
const max = (a: number[]) => a.reduce((m, v) => (Number.isFinite(v) && v > m ? v : m), -Infinity);
const fmt = (v: number) => (Math.abs(v) >= 100 || v === 0 ? v.toFixed(0) : Math.abs(v) >= 1 ? v.toFixed(2) : v.toPrecision(2));

function frame(o: ChartOptions, xs: number[], ys: number[], body: (x: (v: number) => number, y: (v: number) => number) => string) {
  const W = o.width ?? 480, H = o.height ?? 300, L = 56, R = 12, T = 28, B = 44;
  let [x0, x1] = [min(xs), max(xs)];
  let [y0, y1] = [min(ys), max(ys)];
  if (!(x1 > x0)) [x0, x1] = [x0 - 1, x0 + 1];
  if (!(y1 > y0)) [y0, y1] = [y0 - 1, y0 + 1];
  const x = (v: number) => L + ((v - x0) / (x1 - x0)) * (W - L - R);
  const y = (v: number) => H - B - ((v - y0) / (y1 - y0)) * (H - T - B);
  const ticks = (a: number, b: number) => [0, 0.25, 0.5, 0.75, 1].map((t) => a + t * (b - a));
  const grid = [
    ...ticks(x0, x1).map((v) => `<text x="${x(v)}" y="${H - B + 16}" text-anchor="middle">${fmt(v)}</text>`),
    ...ticks(y0, y1).map((v) => `<line x1="${L}" x2="${W - R}" y1="${y(v)}" y2="${y(v)}" stroke="#eee"/><text x="${L - 6}" y="${y(v) + 4}" text-anchor="end">${fmt(v)}</text>`),
  ].join('');
  const v = o.vLine && Number.isFinite(o.vLine.x)
    ? `<line x1="${x(o.vLine.x)}" x2="${x(o.vLine.x)}" y1="${T}" y2="${H - B}" stroke="#000" stroke-dasharray="4 3"/><text x="${x(o.vLine.x) + 4}" y="${T + 12}">${esc(o.vLine.label)}</text>`
    : '';
  const marks = (o.markers ?? []).filter((m) => Number.isFinite(m.x) && Number.isFinite(m.y))
    .map((m) => `<circle cx="${x(m.x).toFixed(1)}" cy="${y(m.y).toFixed(1)}" r="4" fill="${m.color}" stroke="#000"/>${m.label ? `<text x="${(x(m.x) + 6).toFixed(1)}" y="${(y(m.y) - 6).toFixed(1)}">${esc(m.label)}</text>` : ''}`).join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="11">`
    + `<text x="${W / 2}" y="16" text-anchor="middle" font-weight="bold">${esc(o.title)}</text>${grid}`
    + `<rect x="${L}" y="${T}" width="${W - L - R}" height="${H - T - B}" fill="none" stroke="#999"/>`
    + body(x, y) + v + marks
    + `<text x="${W / 2}" y="${H - 8}" text-anchor="middle">${esc(o.xLabel)}</text>`
    + `<text transform="translate(14 ${H / 2}) rotate(-90)" text-anchor="middle">${esc(o.yLabel)}</text></svg>`;
}

function legend(series: { name: string; color: string }[], x0: number) {
  return series.map((s, i) => `<rect x="${x0}" y="${34 + i * 14}" width="10" height="10" fill="${s.color}"/><text x="${x0 + 14}" y="${43 + i * 14}">${esc(s.name)}</text>`).join('');
}

export function lineChart(series: Series[], o: ChartOptions): string {
  const pts = [...series.flatMap((s) => s.points), ...(o.markers ?? []).map((m): [number, number] => [m.x, m.y])];
  return frame(o, pts.map((p) => p[0]), pts.map((p) => p[1]), (x, y) =>
    series.map((s) => `<polyline fill="none" stroke="${s.color}" stroke-width="1.5"${s.dashed ? ' stroke-dasharray="5 3"' : ''} points="${s.points.filter((p) => Number.isFinite(p[1])).map((p) => `${x(p[0]).toFixed(1)},${y(p[1]).toFixed(1)}`).join(' ')}"/>`).join('')
    + legend(series, (o.width ?? 480) - 150));
}

/** Overlaid histograms over a shared range, each normalised to a density. */
export function histogram(groups: { name: string; values: number[]; color: string }[], o: ChartOptions & { bins?: number }): string {
  const all = groups.flatMap((g) => g.values);
  const lo = min(all), hi = max(all), bins = o.bins ?? 40;
  const w = (hi - lo) / bins || 1;
  const dens = groups.map((g) => {
    const c = new Array(bins).fill(0);
    for (const v of g.values) c[Math.min(bins - 1, Math.floor((v - lo) / w))]++;
    return c.map((k) => k / (g.values.length * w));
  });
  const xs = [lo, lo + bins * w, ...(o.vLine ? [o.vLine.x] : [])];
  return frame(o, xs, [0, ...dens.flat()], (x, y) =>
    groups.map((g, gi) => dens[gi].map((d, b) => `<rect x="${x(lo + b * w).toFixed(1)}" y="${y(d).toFixed(1)}" width="${(x(lo + w) - x(lo)).toFixed(1)}" height="${(y(0) - y(d)).toFixed(1)}" fill="${g.color}" fill-opacity="0.45"/>`).join('')).join('')
    + legend(groups, (o.width ?? 480) - 150));
}
