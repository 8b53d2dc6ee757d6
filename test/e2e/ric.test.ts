import assert from 'node:assert/strict';
import { chmod, cp, mkdtemp, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { after, before, describe, it } from 'node:test';
import {
  CreateFunctionCommand,
  InvokeCommand,
  InvokeWithResponseStreamCommand,
  waitUntilFunctionActiveV2,
  type LambdaClient,
} from '@aws-sdk/client-lambda';
import { FIXTURES, ROLE, json } from '../helpers/functions.js';
import { startServer, type RunningServer } from '../helpers/server.js';

const RIC = resolve(import.meta.dirname, '../../../node_modules/aws-lambda-ric');
const ricMissing = existsSync(join(RIC, 'package.json'))
  ? undefined
  : 'aws-lambda-ric (optional dependency) did not build here: it needs autoconf, automake, libtool and cmake (.ci/run installs them)';

/** AWS's own Node.js runtime interface client runs unchanged as a `provided` runtime. */
describe('the official runtime interface client (aws-lambda-ric)', { skip: ricMissing }, () => {
  let server: RunningServer;
  let lambda: LambdaClient;
  let dir: string;
  before(async () => {
    server = await startServer();
    lambda = server.lambda();
    dir = await mkdtemp(join(tmpdir(), 'fogbank-ric-'));
    // Functions run as an unprivileged uid: the directory must be readable by others, as a
    // developer's checkout is (mkdtemp makes it 0700).
    await chmod(dir, 0o755);
    await cp(join(FIXTURES, 'e2e/ric'), dir, { recursive: true });
    await cp(RIC, join(dir, 'node_modules/aws-lambda-ric'), { recursive: true });
  });
  after(async () => {
    assert.equal(await server.stop(), 0);
    await rm(dir, { recursive: true, force: true });
  });

  it('serves invocations through our Runtime API', async () => {
    await lambda.send(
      new CreateFunctionCommand({
        FunctionName: 'ric',
        Runtime: 'provided.al2023',
        Handler: 'index.handler',
        Role: ROLE,
        Code: { S3Bucket: 'hot-reload', S3Key: dir },
      }),
    );
    await waitUntilFunctionActiveV2(
      { client: lambda, maxWaitTime: 30, minDelay: 1 },
      { FunctionName: 'ric' },
    );
    for (const n of [1, 2]) {
      const res = await lambda.send(
        new InvokeCommand({ FunctionName: 'ric', Payload: Buffer.from(JSON.stringify({ n })) }),
      );
      assert.equal(res.FunctionError, undefined, Buffer.from(res.Payload ?? []).toString());
      const body = json(res.Payload) as { ric: boolean; echo: unknown; requestId: string };
      assert.equal(body.ric, true);
      assert.deepEqual(body.echo, { n });
      assert.match(body.requestId, /^[0-9a-f-]{36}$/);
    }
  });

  it('streams a response as the client writes it (streamifyResponse)', async () => {
    await lambda.send(
      new CreateFunctionCommand({
        FunctionName: 'ric-stream',
        Runtime: 'provided.al2023',
        Handler: 'index.streamed',
        Role: ROLE,
        Code: { S3Bucket: 'hot-reload', S3Key: dir },
      }),
    );
    await waitUntilFunctionActiveV2(
      { client: lambda, maxWaitTime: 30, minDelay: 1 },
      { FunctionName: 'ric-stream' },
    );
    const res = await lambda.send(
      new InvokeWithResponseStreamCommand({ FunctionName: 'ric-stream' }),
    );
    const chunks: { text: string; at: number }[] = [];
    let complete: unknown;
    for await (const event of res.EventStream ?? []) {
      if (event.PayloadChunk !== undefined) {
        chunks.push({
          text: Buffer.from(event.PayloadChunk.Payload ?? []).toString(),
          at: performance.now(),
        });
      } else if (event.InvokeComplete !== undefined) {
        complete = event.InvokeComplete;
      }
    }
    assert.equal(chunks.map((c) => c.text).join(''), 'ric streamed');
    assert.deepEqual(complete, {});
    const first = chunks[0];
    const last = chunks.at(-1);
    assert.ok(first !== undefined && last !== undefined && last.at - first.at >= 200);
  });
});
