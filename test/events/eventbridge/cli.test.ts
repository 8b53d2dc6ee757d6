/**
 * The AWS CLI v2 (`aws events …`, --endpoint-url) against the EventBridge API on a real server:
 * put-rule, put-targets, list-targets-by-rule, put-events, describe-rule, delete-rule, errors.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { aws, awsCliMissing } from '../../helpers/aws-cli.js';
import { CTX, UUID, fnArn, startEventBridgeServer } from './fixtures.js';

const ARN_PREFIX = `arn:aws:events:${CTX.region}:${CTX.accountId}`;

test(
  'a scheduled rule with a Lambda target, end to end with the AWS CLI',
  { skip: awsCliMissing },
  async (t) => {
    const eb = await startEventBridgeServer();
    t.after(() => eb.stop());
    const events = async (...args: string[]): Promise<unknown> => {
      const result = await aws(eb.url, ['events', ...args]);
      assert.equal(result.code, 0, result.stderr);
      return result.stdout.trim() === '' ? undefined : JSON.parse(result.stdout);
    };
    const target = fnArn('nightly');
    eb.lambda.functions.add(target);

    assert.deepEqual(
      await events('put-rule', '--name', 'nightly', '--schedule-expression', 'cron(30 2 * * ? *)'),
      { RuleArn: `${ARN_PREFIX}:rule/nightly` },
    );
    assert.deepEqual(
      await events(
        'put-targets',
        '--rule',
        'nightly',
        '--targets',
        JSON.stringify([{ Id: 'job', Arn: target, InputPath: '$.time' }]),
      ),
      { FailedEntryCount: 0, FailedEntries: [] },
    );
    assert.deepEqual(await events('list-targets-by-rule', '--rule', 'nightly'), {
      Targets: [{ Id: 'job', Arn: target, InputPath: '$.time' }],
    });
    assert.deepEqual(await events('describe-rule', '--name', 'nightly'), {
      Name: 'nightly',
      Arn: `${ARN_PREFIX}:rule/nightly`,
      ScheduleExpression: 'cron(30 2 * * ? *)',
      State: 'ENABLED',
      EventBusName: 'default',
      CreatedBy: CTX.accountId,
    });

    await eb.clock.advance((2 * 60 + 30) * 60_000);
    assert.deepEqual(eb.lambda.eventsFor(target), ['2025-01-01T02:30:00Z']);

    // DeleteRule is refused while the target remains: the CLI exits non-zero with the error.
    const refused = await aws(eb.url, ['events', 'delete-rule', '--name', 'nightly']);
    assert.notEqual(refused.code, 0);
    assert.match(
      refused.stderr,
      /\(ValidationException\) when calling the DeleteRule operation(?: \(reached max retries: \d+\))?: Rule can't be deleted since it has targets\./,
    );
    assert.deepEqual(await events('remove-targets', '--rule', 'nightly', '--ids', 'job'), {
      FailedEntryCount: 0,
      FailedEntries: [],
    });
    await events('delete-rule', '--name', 'nightly');
    const gone = await aws(eb.url, ['events', 'describe-rule', '--name', 'nightly']);
    assert.notEqual(gone.code, 0);
    assert.match(
      gone.stderr,
      /\(ResourceNotFoundException\) when calling the DescribeRule operation(?: \(reached max retries: \d+\))?: Rule nightly does not exist on EventBus default\./,
    );
  },
);

test(
  'put-events with the AWS CLI reaches the rule that matches',
  { skip: awsCliMissing },
  async (t) => {
    const eb = await startEventBridgeServer();
    t.after(() => eb.stop());
    const target = fnArn('signups');
    eb.lambda.functions.add(target);
    const run = async (...args: string[]): Promise<Record<string, unknown>> => {
      const result = await aws(eb.url, ['events', ...args]);
      assert.equal(result.code, 0, result.stderr);
      return JSON.parse(result.stdout) as Record<string, unknown>;
    };
    await run(
      'put-rule',
      '--name',
      'signups',
      '--event-pattern',
      JSON.stringify({ source: ['app.users'], 'detail-type': ['UserSignedUp'] }),
    );
    await run('put-targets', '--rule', 'signups', '--targets', `Id=1,Arn=${target}`);

    const out = await run(
      'put-events',
      '--entries',
      JSON.stringify([
        { Source: 'app.users', DetailType: 'UserSignedUp', Detail: '{"user":"ada"}' },
        { Source: 'app.users', DetailType: 'UserDeleted', Detail: '{"user":"bob"}' },
        { Source: 'app.users', DetailType: 'UserSignedUp' },
      ]),
    );
    assert.equal(out.FailedEntryCount, 1);
    const entries = out.Entries as Record<string, string>[];
    assert.match(entries[0]?.EventId ?? '', UUID);
    assert.match(entries[1]?.EventId ?? '', UUID);
    assert.deepEqual(entries[2], {
      ErrorCode: 'InvalidArgument',
      ErrorMessage: 'Parameter Detail is not valid. Reason: Detail is a required argument.',
    });
    const delivered = eb.lambda.eventsFor(target) as Record<string, unknown>[];
    assert.equal(delivered.length, 1);
    assert.equal(delivered[0]?.id, entries[0]?.EventId);
    assert.deepEqual(delivered[0]?.detail, { user: 'ada' });

    const invalid = await aws(eb.url, [
      'events',
      'put-rule',
      '--name',
      'broken',
      '--schedule-expression',
      'rate(5 minute)',
    ]);
    assert.notEqual(invalid.code, 0);
    assert.match(
      invalid.stderr,
      /\(ValidationException\) when calling the PutRule operation(?: \(reached max retries: \d+\))?: Parameter ScheduleExpression is not valid\./,
    );
  },
);
