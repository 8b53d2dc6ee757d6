import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { aws, awsCliMissing } from '../helpers/aws-cli.js';
import { ROLE, zipFixture } from '../helpers/functions.js';
import { startServer, type RunningServer } from '../helpers/server.js';

/** The same lifecycle, waiters and error answers through the real AWS CLI v2. */
describe('AWS CLI v2', { skip: awsCliMissing }, () => {
  let server: RunningServer;
  let dir: string;
  let zip: string;
  let zipV2: string;
  before(async () => {
    server = await startServer();
    dir = await mkdtemp(join(tmpdir(), 'fogbank-cli-'));
    zip = join(dir, 'v1.zip');
    zipV2 = join(dir, 'v2.zip');
    await writeFile(zip, zipFixture('e2e/node-cjs'));
    await writeFile(zipV2, zipFixture('e2e/node-esm'));
  });
  after(async () => {
    assert.equal(await server.stop(), 0);
    await rm(dir, { recursive: true, force: true });
  });
  const cli = (...args: string[]) => aws(server.url, args);
  const ok = async (...args: string[]): Promise<Record<string, unknown>> => {
    const r = await cli(...args);
    assert.equal(r.code, 0, `aws ${args.join(' ')} failed: ${r.stderr}`);
    return r.stdout.trim() === '' ? {} : (JSON.parse(r.stdout) as Record<string, unknown>);
  };
  const fails = async (pattern: RegExp, ...args: string[]): Promise<void> => {
    const r = await cli(...args);
    assert.notEqual(r.code, 0, `aws ${args.join(' ')} should fail`);
    assert.match(r.stderr, pattern);
  };

  it('creates, waits, invokes, updates, waits, invokes and deletes', async () => {
    const created = await ok(
      'lambda',
      'create-function',
      '--function-name',
      'cli-fn',
      '--runtime',
      'nodejs20.x',
      '--handler',
      'index.handler',
      '--role',
      ROLE,
      '--zip-file',
      `fileb://${zip}`,
      '--environment',
      'Variables={STAGE=cli}',
      '--tags',
      'team=core',
    );
    assert.equal(created.State, 'Pending');
    assert.equal(created.FunctionArn, 'arn:aws:lambda:us-east-1:000000000000:function:cli-fn');
    await ok('lambda', 'wait', 'function-active-v2', '--function-name', 'cli-fn');

    const out = join(dir, 'out.json');
    const inv = await ok(
      'lambda',
      'invoke',
      '--function-name',
      'cli-fn',
      '--cli-binary-format',
      'raw-in-base64-out',
      '--payload',
      '{"from":"cli"}',
      '--log-type',
      'Tail',
      out,
    );
    assert.equal(inv.StatusCode, 200);
    assert.equal(inv.ExecutedVersion, '$LATEST');
    assert.match(Buffer.from(String(inv.LogResult), 'base64').toString(), /^REPORT RequestId/m);
    const body = JSON.parse(await readFile(out, 'utf8')) as Record<string, unknown>;
    assert.deepEqual(body.echo, { from: 'cli' });
    assert.equal(body.stage, 'cli');

    const got = await ok('lambda', 'get-function', '--function-name', 'cli-fn');
    assert.deepEqual(got.Tags, { team: 'core' });
    const location = (got.Code as { Location: string }).Location;
    const download = Buffer.from(await (await fetch(location)).arrayBuffer());
    assert.deepEqual(download, await readFile(zip), 'Code.Location downloads the package');

    await ok(
      'lambda',
      'update-function-code',
      '--function-name',
      'cli-fn',
      '--zip-file',
      `fileb://${zipV2}`,
    );
    await ok('lambda', 'wait', 'function-updated-v2', '--function-name', 'cli-fn');
    await ok(
      'lambda',
      'invoke',
      '--function-name',
      'cli-fn',
      '--cli-binary-format',
      'raw-in-base64-out',
      '--payload',
      '{"v":2}',
      out,
    );
    assert.deepEqual(JSON.parse(await readFile(out, 'utf8')), { esm: true, echo: { v: 2 } });

    const listed = await ok('lambda', 'list-functions');
    assert.ok(
      (listed.Functions as { FunctionName: string }[]).some((f) => f.FunctionName === 'cli-fn'),
    );
    const settings = await ok('lambda', 'get-account-settings');
    assert.equal(
      (settings.AccountLimit as { ConcurrentExecutions: number }).ConcurrentExecutions,
      1000,
    );
    assert.ok((settings.AccountUsage as { FunctionCount: number }).FunctionCount >= 1);

    await ok('lambda', 'delete-function', '--function-name', 'cli-fn');
    await fails(
      /ResourceNotFoundException.*Function not found: arn:aws:lambda:us-east-1:000000000000:function:cli-fn/,
      'lambda',
      'get-function',
      '--function-name',
      'cli-fn',
    );
  });

  it('answers bad input with AWS error names and changes nothing', async () => {
    const base = [
      'lambda',
      'create-function',
      '--role',
      ROLE,
      '--zip-file',
      `fileb://${zip}`,
      '--handler',
      'index.handler',
    ];
    await fails(
      /InvalidParameterValueException.*runtime/i,
      ...base,
      '--function-name',
      'bad-rt',
      '--runtime',
      'cobol1.0',
    );
    await fails(
      /(ValidationException|InvalidParameterValueException).*memorySize/i,
      ...base,
      '--function-name',
      'bad-mem',
      '--runtime',
      'nodejs20.x',
      '--memory-size',
      '64',
    );
    await fails(
      /(ValidationException|InvalidParameterValueException).*timeout/i,
      ...base,
      '--function-name',
      'bad-to',
      '--runtime',
      'nodejs20.x',
      '--timeout',
      '901',
    );
    await fails(
      /InvalidParameterValueException.*4KB/,
      ...base,
      '--function-name',
      'bad-env',
      '--runtime',
      'nodejs20.x',
      '--environment',
      `Variables={BIG=${'x'.repeat(5000)}}`,
    );
    await fails(
      /InvalidParameterValueException/,
      ...base,
      '--function-name',
      'x'.repeat(65),
      '--runtime',
      'nodejs20.x',
    );
    const listed = await ok('lambda', 'list-functions');
    assert.equal((listed.Functions as unknown[]).length, 0, 'failed creates left nothing behind');

    await ok(...base, '--function-name', 'twice', '--runtime', 'nodejs20.x');
    await fails(
      /ResourceConflictException.*Function already exist: twice/,
      ...base,
      '--function-name',
      'twice',
      '--runtime',
      'nodejs20.x',
    );
    await fails(
      /ResourceNotFoundException/,
      'lambda',
      'invoke',
      '--function-name',
      'nobody',
      join(dir, 'x.json'),
    );
  });
});
