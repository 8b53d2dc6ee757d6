import assert from 'node:assert/strict';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  CreateFunctionCommand,
  InvokeCommand,
  waitUntilFunctionActiveV2,
  type LambdaClient,
} from '@aws-sdk/client-lambda';
import { ROLE, json } from '../helpers/functions.js';
import { startServer, type RunningServer } from '../helpers/server.js';

/** S3Bucket "hot-reload": the function runs a directory's current files; edits need no redeploy. */
describe('hot-reload code', () => {
  let server: RunningServer;
  let lambda: LambdaClient;
  let dir: string;
  before(async () => {
    server = await startServer();
    lambda = server.lambda();
    dir = await mkdtemp(join(tmpdir(), 'fogbank-hot-'));
    // Functions run as an unprivileged uid: the directory must be readable by others, as a
    // developer's checkout is (mkdtemp makes it 0700).
    await chmod(dir, 0o755);
  });
  after(async () => {
    assert.equal(await server.stop(), 0);
    await rm(dir, { recursive: true, force: true });
  });

  it('picks up an edit on the next invocation', async () => {
    const write = (v: number) =>
      writeFile(join(dir, 'index.js'), `exports.handler = async () => ({ v: ${v} });\n`);
    await write(1);
    await lambda.send(
      new CreateFunctionCommand({
        FunctionName: 'hot',
        Runtime: 'nodejs20.x',
        Handler: 'index.handler',
        Role: ROLE,
        Code: { S3Bucket: 'hot-reload', S3Key: dir },
      }),
    );
    await waitUntilFunctionActiveV2(
      { client: lambda, maxWaitTime: 30, minDelay: 1 },
      { FunctionName: 'hot' },
    );
    const invoke = async () =>
      json((await lambda.send(new InvokeCommand({ FunctionName: 'hot' }))).Payload);
    assert.deepEqual(await invoke(), { v: 1 });
    assert.deepEqual(await invoke(), { v: 1 }, 'warm while unchanged');
    await write(2);
    assert.deepEqual(await invoke(), { v: 2 }, 'the next invocation runs the edited file');
  });
});
