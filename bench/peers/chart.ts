/**
 * A percentile plot of warm latency as a standalone SVG, no plotting dependency: x is the
 * percentile on a "nines" scale (p0, p90, p99, p99.9 equally spaced) so the tail is as visible
 * as the median, y the round trip in ms on a log scale.
 */
import { percentile } from '../lib.js';

export interface Series {
  readonly label: string;
  readonly samples: readonly number[];
}

const WIDTH = 1000;
const HEIGHT = 520;
const LEFT = 70;
const RIGHT = 400;
const TOP = 40;
const BOTTOM = 60;
const NINES = 3; // up to p99.9
const COLOURS = [
  '#1f77b4',
  '#17becf',
  '#2ca02c',
  '#d62728',
  '#ff7f0e',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#7f7f7f',
];
const PERCENTILE_TICKS = [
  [0, 'p0'],
  [50, 'p50'],
  [90, 'p90'],
  [99, 'p99'],
  [99.9, 'p99.9'],
] as const;

const escape = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function latencySvg(title: string, series: readonly Series[]): string {
  const sorted = series.map((s) => [...s.samples].sort((a, b) => a - b));
  const lo = Math.min(...sorted.map((s) => s[0] ?? Infinity));
  const hi = Math.max(...sorted.map((s) => percentile(s, 99.9)));
  const yMin = Math.floor(Math.log10(lo));
  const yMax = Math.max(yMin + 1, Math.ceil(Math.log10(hi)));
  const plotW = WIDTH - LEFT - RIGHT;
  const plotH = HEIGHT - TOP - BOTTOM;
  const x = (p: number): number => LEFT + (-Math.log10(1 - p / 100) / NINES) * plotW;
  const y = (ms: number): number => TOP + plotH - ((Math.log10(ms) - yMin) / (yMax - yMin)) * plotH;

  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" font-family="sans-serif" font-size="12">`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="white"/>`,
    `<text x="${LEFT}" y="24" font-size="15">${escape(title)}</text>`,
  ];
  for (let decade = yMin; decade <= yMax; decade++) {
    for (const m of decade < yMax ? [1, 2, 5] : [1]) {
      const v = m * 10 ** decade;
      const yy = y(v).toFixed(1);
      parts.push(
        `<line x1="${LEFT}" x2="${LEFT + plotW}" y1="${yy}" y2="${yy}" stroke="${m === 1 ? '#bbb' : '#e5e5e5'}"/>`,
        `<text x="${LEFT - 6}" y="${yy}" text-anchor="end" dominant-baseline="middle">${Number(v.toPrecision(3))}</text>`,
      );
    }
  }
  for (const [p, label] of PERCENTILE_TICKS) {
    const xx = x(p).toFixed(1);
    parts.push(
      `<line x1="${xx}" x2="${xx}" y1="${TOP}" y2="${TOP + plotH}" stroke="#e5e5e5"/>`,
      `<text x="${xx}" y="${TOP + plotH + 18}" text-anchor="middle">${label}</text>`,
    );
  }
  parts.push(
    `<text x="${LEFT + plotW / 2}" y="${HEIGHT - 14}" text-anchor="middle">percentile (log scale of nines)</text>`,
    `<text transform="translate(18 ${TOP + plotH / 2}) rotate(-90)" text-anchor="middle">round trip, ms (log)</text>`,
  );
  sorted.forEach((s, i) => {
    const colour = COLOURS[i % COLOURS.length] ?? '#000';
    const points: string[] = [];
    for (let step = 0; step <= 300; step++) {
      const p = 100 * (1 - 10 ** (-NINES * (step / 300)));
      points.push(`${x(p).toFixed(1)},${y(percentile(s, p)).toFixed(1)}`);
    }
    const ly = TOP + 10 + i * 20;
    parts.push(
      `<polyline fill="none" stroke="${colour}" stroke-width="2" points="${points.join(' ')}"/>`,
      `<line x1="${LEFT + plotW + 16}" x2="${LEFT + plotW + 40}" y1="${ly}" y2="${ly}" stroke="${colour}" stroke-width="3"/>`,
      `<text x="${LEFT + plotW + 46}" y="${ly}" dominant-baseline="middle">${escape(series[i]?.label ?? '')}</text>`,
    );
  });
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}
