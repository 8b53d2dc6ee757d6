import assert from 'node:assert/strict';
import { it } from 'node:test';
import { compilePattern } from '../../../src/events/filter/index.js';

/** The example event of the EventBridge user guide and Event Ruler's README. */
export const EC2_EVENT = {
  version: '0',
  id: 'ddddd4-aaaa-7777-4444-345dd43cc333',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '012345679012',
  time: '2017-10-02T16:24:49Z',
  region: 'us-east-1',
  resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000'],
  detail: {
    'c-count': 5,
    'd-count': 3,
    'x-limit': 301.8,
    'source-ip': '10.0.0.33',
    'instance-id': 'i-000000aaaaaa00000',
    state: 'running',
  },
};

export interface Case {
  readonly name: string;
  readonly pattern: unknown;
  readonly event?: unknown;
  readonly matches: boolean;
}

export function run(cases: readonly Case[]): void {
  for (const c of cases) {
    it(`${c.matches ? 'matches' : 'does not match'}: ${c.name}`, () => {
      const pattern = compilePattern(JSON.stringify(c.pattern));
      assert.equal(pattern.matches(c.event ?? EC2_EVENT), c.matches);
    });
  }
}
