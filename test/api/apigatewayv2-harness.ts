/**
 * The API Gateway v2 management API in process: the real handler and HttpApiService over a real
 * SQLite file, on a port-0 server, with a real ApiGatewayV2Client. `reopen` builds a second
 * service over the same database, as a restarted server would.
 */
import type { TestContext } from 'node:test';
import { ApiGatewayV2Client } from '@aws-sdk/client-apigatewayv2';
import { createApiGatewayV2HttpHandler } from '../../src/api/apigatewayv2/index.js';
import type { AccountContext } from '../../src/core/arn.js';
import { ManualClock } from '../../src/core/clock.js';
import { HttpApiService } from '../../src/control/http-apis/index.js';
import { HTTP_APIS_MIGRATION, SqliteHttpApiStore } from '../../src/store/sqlite/http-api-tables.js';
import { migrate } from '../../src/store/sqlite/migrations.js';
import { openDatabase, serveWithClient, serviceRoute, tempDir } from '../events/helpers.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

export const CTX: AccountContext = { region: 'us-east-1', accountId: '000000000000' };
export const FUNCTION_ARN = 'arn:aws:lambda:us-east-1:000000000000:function:orders';

export interface HttpApiHarness {
  readonly url: string;
  readonly client: ApiGatewayV2Client;
  readonly service: HttpApiService;
  readonly clock: ManualClock;
  /** A new service loaded from the same database (a restart). */
  readonly reopen: () => Promise<HttpApiService>;
}

export async function startHttpApis(t: TestContext): Promise<HttpApiHarness> {
  const dir = tempDir(t, 'fogbank-apigw-');
  const db = openDatabase(dir, (d) => {
    migrate(d, [HTTP_APIS_MIGRATION], 0);
  });
  t.after(() => db.close());
  const clock = new ManualClock(Date.UTC(2026, 0, 2, 3, 4, 5));
  const create = async (): Promise<HttpApiService> => {
    const service = new HttpApiService({
      store: new SqliteHttpApiStore(db),
      ctx: CTX,
      clock,
      publicEndpoint: 'http://127.0.0.1:4566',
    });
    await service.start();
    return service;
  };
  const service = await create();
  const handler = createApiGatewayV2HttpHandler(service);
  const { url, client } = await serveWithClient(
    t,
    serviceRoute(handler),
    (config) => new ApiGatewayV2Client(config),
    CTX.region,
  );
  return { url, client, service, clock, reopen: create };
}
