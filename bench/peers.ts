/**
 * Fogbank side by side with serverless-offline and lambda-local (installed for the benchmark only,
 * into a cache directory outside the repository) on the same no-op handler: cold start, a burst
 * of first invocations, idle environments in memory, warm latency and throughput through the
 * Invoke API and the HTTP fronts, with the ratios Fogbank/peer. Prints Markdown tables and writes
 * the warm latency distributions to docs/bench/latency.svg. Every target stays up until the end
 * and their warm paths take turns, so load from the rest of the machine falls on all alike.
 * Run: `npm run bench:peers [-- --cold-samples 30 --warm-samples 5000 --seconds 5 --burst 100
 * --only fogbank,serverless-offline,lambda-local --peers-dir <dir> --svg <file or ''>]`.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { percentile, summary } from './lib.js';
import { latencySvg } from './peers/chart.js';
import { prepareFogbank } from './peers/fogbank.js';
import { DEFAULT_PEERS_DIR, ensurePeers } from './peers/install.js';
import { prepareLambdaLocal } from './peers/lambda-local.js';
import { CALLERS, measurePaths } from './peers/measure.js';
import { memTotalMiB } from './peers/memory.js';
import type {
  BenchOptions,
  PathKind,
  PreparedTarget,
  TargetResult,
  WarmPath,
} from './peers/result.js';
import { prepareServerlessOffline } from './peers/serverless-offline.js';

const ROOT = resolve(import.meta.dirname, '../..');
const TARGETS = ['fogbank', 'serverless-offline', 'lambda-local'] as const;

const { values } = parseArgs({
  options: {
    'peers-dir': {
      type: 'string',
      default: process.env.FOGBANK_BENCH_PEERS_DIR ?? DEFAULT_PEERS_DIR,
    },
    only: { type: 'string', default: TARGETS.join(',') },
    'cold-samples': { type: 'string', default: '30' },
    'warm-samples': { type: 'string', default: '5000' },
    warmup: { type: 'string', default: '200' },
    seconds: { type: 'string', default: '5' },
    burst: { type: 'string', default: '100' },
    svg: { type: 'string', default: resolve(ROOT, 'docs/bench/latency.svg') },
  },
});

const options: BenchOptions = {
  coldSamples: Number(values['cold-samples']),
  warmSamples: Number(values['warm-samples']),
  warmup: Number(values.warmup),
  seconds: Number(values.seconds),
  burst: Number(values.burst),
};
const only = new Set(values.only.split(','));
const uptime = (): string => execFileSync('uptime', { encoding: 'utf8' }).trim();
const ms = (v: number): string => (v < 10 ? v.toFixed(2) : v.toFixed(1));
const ratio = (fogbank: number, peer: number): string => `${(fogbank / peer).toFixed(2)}×`;
const row = (cells: readonly (string | number)[]): string => `| ${cells.join(' | ')} |`;
const table = (head: readonly string[], rows: readonly (readonly (string | number)[])[]) =>
  [row(head), row(head.map(() => '---')), ...rows.map(row)].join('\n');

console.log(`# Fogbank vs peers, ${new Date().toISOString()}, Node ${process.version}`);
console.log(`load before: ${uptime()}`);

const peers = await ensurePeers(values['peers-dir']);
const commit = execFileSync('git', ['-C', ROOT, 'rev-parse', '--short', 'HEAD'], {
  encoding: 'utf8',
}).trim();

const prepared: PreparedTarget[] = [];
const failures: string[] = [];
const preparers: Record<(typeof TARGETS)[number], () => Promise<PreparedTarget>> = {
  fogbank: () => prepareFogbank(options, `commit ${commit}`),
  'serverless-offline': () => prepareServerlessOffline(options, peers),
  'lambda-local': () => prepareLambdaLocal(options, peers),
};
const results: TargetResult[] = [];
try {
  // One target at a time for the one-shot measures (the ones already done stay up, idle)…
  for (const target of TARGETS) {
    if (!only.has(target)) {
      continue;
    }
    console.log(`cold start, burst and memory: ${target}… (${uptime()})`);
    try {
      prepared.push(await preparers[target]());
    } catch (e) {
      failures.push(`${target}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    }
  }
  // …then every warm path of every target, taking turns.
  console.log(`warm latency and throughput, all targets in turn… (${uptime()})`);
  const warm = await measurePaths(
    prepared.flatMap((p) => p.paths),
    options,
  ).catch((e: unknown) => {
    failures.push(`warm paths: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    return [];
  });
  for (const p of prepared) {
    results.push({ ...p.result, warm: [...warm.splice(0, p.paths.length), ...p.result.warm] });
  }
} finally {
  for (const p of prepared) {
    await p.stop();
  }
}

const fogbank = results.find((r) => r.peer === 'Fogbank');
const others = results.filter((r) => r !== fogbank);

console.log(`\nVersions: ${results.map((r) => `${r.peer} ${r.version}`).join(', ')}\n`);

console.log('## Cold start (client-observed first invocation, ms)\n');
console.log(
  table(
    ['Target', 'What was fresh', 'n', 'p50', 'p90', 'p99', 'Fogbank/peer p50'],
    results.flatMap((r) =>
      r.cold.map((c) => {
        const s = summary(c.samples);
        const vs =
          r === fogbank
            ? ''
            : (fogbank?.cold ?? [])
                .map((f) => `${ratio(summary(f.samples).p50, s.p50)} (${f.label})`)
                .join(', ');
        return [r.peer, c.how, s.n, ms(s.p50), ms(s.p90), ms(s.p99), vs];
      }),
    ),
  ),
);

console.log(`\n## ${options.burst}-way burst of first invocations of one fresh function\n`);
const memTotal = await memTotalMiB();
console.log(
  table(
    [
      'Target',
      'Succeeded',
      'Wall time, ms',
      'Fogbank/peer',
      'Memory per idle environment (PSS), MiB',
      `Idle environments in ${(memTotal / 1024).toFixed(0)} GiB`,
    ],
    results.flatMap((r) => {
      if (r.burst === undefined) {
        return [];
      }
      const perEnv = r.idle === undefined ? undefined : r.idle.deltaMiB / r.idle.environments;
      return [
        [
          r.peer,
          `${r.burst.succeeded}/${r.burst.n}${r.burst.error === undefined ? '' : ` (${r.burst.error.slice(0, 160)})`}`,
          ms(r.burst.wallMs),
          fogbank?.burst === undefined || r === fogbank
            ? ''
            : ratio(fogbank.burst.wallMs, r.burst.wallMs),
          perEnv === undefined ? 'n/a' : perEnv.toFixed(1),
          perEnv === undefined ? 'n/a' : Math.floor(memTotal / perEnv).toLocaleString('en'),
        ],
      ];
    }),
  ),
);

console.log(
  `\n## Warm, no-op handler: latency of 1 caller (n=${options.warmSamples}, ms) and requests/s with C callers (${options.seconds} s each)\n`,
);
const paths = results.flatMap((r) => r.warm.map((w) => ({ peer: r.peer, ...w })));
console.log(
  table(
    ['Target', 'Path', 'p50', 'p99', 'p99.9', ...CALLERS.map((c) => `req/s C=${c}`)],
    paths.map((p) => {
      const s = [...p.result.samples].sort((a, b) => a - b);
      return [
        p.peer,
        p.label,
        ms(percentile(s, 50)),
        ms(percentile(s, 99)),
        ms(percentile(s, 99.9)),
        ...CALLERS.map((c) => Math.round(p.result.rps[c] ?? NaN).toLocaleString('en')),
      ];
    }),
  ),
);

/** Fogbank's path of `kind` against every peer path of `peerKinds`: latency and rate ratios. */
function ratios(kind: PathKind, peerKinds: readonly PathKind[]): (string | number)[][] {
  const ours = fogbank?.warm.find((w) => w.kind === kind);
  if (ours === undefined) {
    return [];
  }
  const p50 = (w: WarmPath) =>
    percentile(
      [...w.result.samples].sort((a, b) => a - b),
      50,
    );
  return others.flatMap((r) =>
    r.warm
      .filter((w) => peerKinds.includes(w.kind))
      .map((w) => [
        `Fogbank ${ours.label} / ${r.peer} ${w.label}`,
        ratio(p50(ours), p50(w)),
        ...CALLERS.map((c) => ratio(ours.result.rps[c] ?? NaN, w.result.rps[c] ?? NaN)),
      ]),
  );
}
const ratioRows = [
  ...ratios('invoke', ['invoke', 'in-process']),
  ...ratios('http', ['http']),
  ...ratios('gateway', ['http']),
];
if (ratioRows.length > 0) {
  console.log('\n## Ratios Fogbank/peer (latency: below 1 is faster; req/s: above 1 is more)\n');
  console.log(
    table(['Comparison', 'p50 latency', ...CALLERS.map((c) => `req/s C=${c}`)], ratioRows),
  );
}

// Issue 6's figures: each HTTP front's p50 over a direct Invoke, and its rate against
// serverless-offline's httpApi route at the same caller count.
if (fogbank !== undefined) {
  const p50 = (w: WarmPath) =>
    percentile(
      [...w.result.samples].sort((a, b) => a - b),
      50,
    );
  const invoke = fogbank.warm.find((w) => w.kind === 'invoke');
  const sls = others
    .find((r) => r.peer === 'serverless-offline')
    ?.warm.find((w) => w.kind === 'http');
  const fronts = fogbank.warm.filter((w) => w.kind === 'http' || w.kind === 'gateway');
  console.log('\n## HTTP fronts against issue 6\n');
  if (fronts.length === 0 || invoke === undefined) {
    console.log('- no Fogbank HTTP front was measured (see "Not measured")');
  }
  for (const front of fronts) {
    if (invoke === undefined) {
      break;
    }
    const overhead = p50(front) - p50(invoke);
    const rates = CALLERS.map((c) => {
      const ours = front.result.rps[c] ?? NaN;
      const theirs = sls?.result.rps[c];
      return theirs === undefined
        ? `C=${c} ${Math.round(ours)} (serverless-offline not measured)`
        : `C=${c} ${Math.round(ours)} vs ${Math.round(theirs)} (${ours > theirs ? 'more' : 'NOT more'})`;
    });
    console.log(
      `- ${front.label}: p50 ${overhead.toFixed(3)} ms over a direct Invoke ` +
        `(target ≤ 0.3 ms: ${overhead <= 0.3 ? 'met' : 'NOT met'}); ` +
        `req/s vs serverless-offline httpApi: ${rates.join(', ')}`,
    );
  }
}

const skipped = [...results.flatMap((r) => r.skipped.map((s) => `${r.peer}: ${s}`)), ...failures];
if (skipped.length > 0) {
  console.log('\n## Not measured\n');
  for (const s of skipped) {
    console.log(`- ${s}`);
  }
}

if (values.svg !== '' && paths.length > 0) {
  await mkdir(dirname(values.svg), { recursive: true });
  await writeFile(
    values.svg,
    latencySvg(
      `Warm round trip of a no-op handler, 1 caller, n=${options.warmSamples} per path`,
      paths.map((p) => ({ label: `${p.peer}: ${p.label}`, samples: p.result.samples })),
    ),
  );
  console.log(`\nchart: ${values.svg}`);
}
console.log(`load after: ${uptime()}`);
if (failures.length > 0) {
  process.exitCode = 1;
}
