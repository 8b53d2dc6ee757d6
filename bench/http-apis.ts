/**
 * What the HTTP front pays to find an HTTP API's routes or an ALB target group (the
 * HttpApiDirectory / AlbDirectory lookups it makes per request), what a configuration change
 * costs (a durable SQLite commit, WAL with synchronous=FULL as the platform opens it), and how
 * long a restart takes to load everything back.
 *
 *   npx tsc -b && node dist/bench/http-apis.js [apis] [routesPerApi]
 *
 * Defaults: 200 APIs with 20 routes each. Every loop is bounded by those counts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { createSystemClock } from '../src/core/clock.js';
import { HttpApiService } from '../src/control/http-apis/index.js';
import { TargetGroupService } from '../src/control/target-groups/index.js';
import { HTTP_APIS_MIGRATION, SqliteHttpApiStore } from '../src/store/sqlite/http-api-tables.js';
import { migrate } from '../src/store/sqlite/migrations.js';
import {
  SqliteTargetGroupStore,
  TARGET_GROUPS_MIGRATION,
} from '../src/store/sqlite/target-group-tables.js';
import { fmt, summary } from './lib.js';

const CTX = { region: 'us-east-1', accountId: '000000000000' };
const FUNCTION = 'arn:aws:lambda:us-east-1:000000000000:function:bench';
const apiCount = Number(process.argv[2] ?? 200);
const routesPerApi = Number(process.argv[3] ?? 20);

const dir = mkdtempSync(join(tmpdir(), 'fogbank-bench-apis-'));
const db = new Database(join(dir, 'fogbank.db'));
db.pragma('journal_mode = WAL');
db.pragma('synchronous = FULL');
migrate(db, [HTTP_APIS_MIGRATION, TARGET_GROUPS_MIGRATION], 0);
const clock = createSystemClock();

const newService = async (): Promise<HttpApiService> => {
  const service = new HttpApiService({
    store: new SqliteHttpApiStore(db),
    ctx: CTX,
    clock,
    publicEndpoint: 'http://127.0.0.1:4566',
  });
  await service.start();
  return service;
};

try {
  const service = await newService();
  const apiIds: string[] = [];
  const createRoute: number[] = [];
  for (let a = 0; a < apiCount; a++) {
    const api = await service.createApi({
      name: `api-${String(a)}`,
      protocolType: 'HTTP',
      target: FUNCTION,
    });
    apiIds.push(api.apiId);
    const integrationId = service.getIntegrations(api.apiId, {}).items[0]?.integrationId ?? '';
    for (let r = 0; r < routesPerApi; r++) {
      const started = performance.now();
      await service.createRoute(api.apiId, {
        routeKey: `GET /items${String(r)}/{id}`,
        target: `integrations/${integrationId}`,
      });
      createRoute.push(performance.now() - started);
    }
  }
  const create = summary(createRoute);
  console.log(
    `CreateRoute (validate + SQLite commit + apply), ${String(create.n)} routes: p50 ${fmt(create.p50)}, p99 ${fmt(create.p99)}`,
  );

  // First lookup after a change rebuilds the API's stages; later ones answer from the cache.
  const rebuild: number[] = [];
  for (const apiId of apiIds) {
    const started = performance.now();
    service.stages(apiId);
    rebuild.push(performance.now() - started);
  }
  const rebuilt = summary(rebuild);
  console.log(
    `stages() after a change (rebuild, ${String(routesPerApi + 1)} routes): p50 ${fmt(rebuilt.p50)}, p99 ${fmt(rebuilt.p99)}`,
  );
  const lookups = 1_000_000;
  let found = 0;
  let started = performance.now();
  for (let i = 0; i < lookups; i++) {
    found += service.stages(apiIds[i % apiIds.length] ?? '').length;
  }
  let elapsed = performance.now() - started;
  console.log(
    `stages() cached: ${((elapsed * 1e6) / lookups).toFixed(0)} ns per lookup (${String(lookups)} lookups, ${String(found)} stages)`,
  );

  started = performance.now();
  const restarted = await newService();
  elapsed = performance.now() - started;
  console.log(
    `restart: loaded ${String(apiCount)} APIs, ${String(apiCount * (routesPerApi + 1))} routes in ${fmt(elapsed)}; ` +
      `${String(restarted.stages(apiIds[0] ?? '')[0]?.routes.length)} routes served for the first`,
  );

  const groups = new TargetGroupService({
    store: new SqliteTargetGroupStore(db),
    ctx: CTX,
    clock,
    functionExists: () => Promise.resolve(true),
  });
  await groups.start();
  for (let g = 0; g < apiCount; g++) {
    const group = await groups.createTargetGroup({
      name: `tg-${String(g)}`,
      targetType: 'lambda',
      protocol: undefined,
      port: undefined,
      vpcId: undefined,
      healthCheckEnabled: undefined,
      tags: [],
    });
    await groups.registerTargets(group.targetGroupArn, [FUNCTION]);
  }
  let hits = 0;
  started = performance.now();
  for (let i = 0; i < lookups; i++) {
    hits += groups.targetGroup(`tg-${String(i % apiCount)}`) === undefined ? 0 : 1;
  }
  elapsed = performance.now() - started;
  console.log(
    `targetGroup(name): ${((elapsed * 1e6) / lookups).toFixed(0)} ns per lookup (${String(hits)} hits)`,
  );
} finally {
  db.close();
  rmSync(dir, { recursive: true, force: true });
}
