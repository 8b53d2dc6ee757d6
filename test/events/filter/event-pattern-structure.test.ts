import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EventPatternError, compilePattern, matchesAny } from '../../../src/events/filter/index.js';
import { run } from './cases.js';

describe('event patterns: arrays in events', () => {
  const employees = {
    employees: [
      { firstName: 'John', lastName: 'Doe' },
      { firstName: 'Anna', lastName: 'Smith' },
      { firstName: 'Peter', lastName: 'Jones' },
    ],
  };
  const nested = {
    employees: [
      [
        { firstName: 'John', lastName: 'Doe' },
        { firstName: 'Anna', lastName: 'Smith' },
      ],
      [{ firstName: 'Peter', lastName: 'Jones' }],
    ],
  };
  run([
    {
      name: 'documented resources intersection',
      pattern: {
        resources: [
          'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f',
          'arn:aws:ec2:us-east-1:111122223333:instance/i-b188560f',
          'arn:aws:ec2:us-east-1:444455556666:instance/i-b188560f',
        ],
      },
      event: {
        resources: [
          'arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:eb56d16b-bbf0-401d-b893-d5978ed4a025:autoScalingGroupName/ASGTerminate',
          'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f',
        ],
      },
      matches: true,
    },
    {
      name: 'objects inside an array',
      pattern: { employees: { firstName: ['Anna'] } },
      event: employees,
      matches: true,
    },
    {
      name: 'two fields of one element',
      pattern: { employees: { firstName: ['Anna'], lastName: ['Smith'] } },
      event: employees,
      matches: true,
    },
    {
      name: 'two fields of different elements never combine',
      pattern: { employees: { firstName: ['Anna'], lastName: ['Jones'] } },
      event: employees,
      matches: false,
    },
    {
      name: 'multi-level arrays',
      pattern: { employees: { firstName: ['Peter'] } },
      event: nested,
      matches: true,
    },
    {
      name: 'multi-level arrays keep consistency',
      pattern: { employees: { firstName: ['John'], lastName: ['Jones'] } },
      event: nested,
      matches: false,
    },
    {
      name: 'anything-but matches another element',
      pattern: { tags: [{ 'anything-but': 'a' }] },
      event: { tags: ['a', 'b'] },
      matches: true,
    },
    {
      name: 'anything-but, all elements excluded',
      pattern: { tags: [{ 'anything-but': 'a' }] },
      event: { tags: ['a', 'a'] },
      matches: false,
    },
    {
      name: 'numeric on a number array',
      pattern: { n: [{ numeric: ['>', 10] }] },
      event: { n: [1, 2, 30] },
      matches: true,
    },
    {
      name: 'nested arrays of values flatten',
      pattern: { n: [3] },
      event: { n: [[1, 2], [3]] },
      matches: true,
    },
  ]);
});

describe('event patterns: $or (Event Ruler examples)', () => {
  run([
    {
      name: 'source AND (metricName OR namespace), by namespace',
      pattern: {
        source: ['aws.cloudwatch'],
        $or: [
          { metricName: ['CPUUtilization', 'ReadLatency'] },
          { namespace: ['AWS/EC2', 'AWS/ES'] },
        ],
      },
      event: { source: 'aws.cloudwatch', namespace: 'AWS/EC2' },
      matches: true,
    },
    {
      name: 'source AND (metricName OR namespace), neither',
      pattern: {
        source: ['aws.cloudwatch'],
        $or: [
          { metricName: ['CPUUtilization', 'ReadLatency'] },
          { namespace: ['AWS/EC2', 'AWS/ES'] },
        ],
      },
      event: { source: 'aws.cloudwatch', namespace: 'AWS/S3' },
      matches: false,
    },
    {
      name: 'parallel $or at two levels',
      pattern: {
        $or: [{ metricName: ['CPUUtilization'] }, { namespace: ['AWS/EC2'] }],
        detail: {
          $or: [
            { source: ['aws.cloudwatch'] },
            { 'detail-type': ['CloudWatch Alarm State Change'] },
          ],
        },
      },
      event: {
        metricName: 'CPUUtilization',
        detail: { 'detail-type': 'CloudWatch Alarm State Change' },
      },
      matches: true,
    },
    {
      name: '$or with an AND inside and a nested $or',
      pattern: {
        source: ['aws.cloudwatch'],
        $or: [
          { metricName: ['CPUUtilization', 'ReadLatency'] },
          {
            metricType: ['MetricType'],
            namespace: ['AWS/EC2', 'AWS/ES'],
            $or: [{ metricId: [1234] }, { spaceId: [1000] }],
          },
          { scope: ['Service'] },
        ],
      },
      event: {
        source: 'aws.cloudwatch',
        metricType: 'MetricType',
        namespace: 'AWS/ES',
        spaceId: 1000,
      },
      matches: true,
    },
    {
      name: 'nested $or branch missing its inner alternative',
      pattern: {
        source: ['aws.cloudwatch'],
        $or: [
          { metricName: ['CPUUtilization'] },
          { metricType: ['MetricType'], $or: [{ metricId: [1234] }, { spaceId: [1000] }] },
        ],
      },
      event: { source: 'aws.cloudwatch', metricType: 'MetricType', spaceId: 1 },
      matches: false,
    },
    {
      name: '$or holding an object is an ordinary field name',
      pattern: { source: ['aws.cloudwatch'], $or: { metricType: ['MetricType'] } },
      event: { source: 'aws.cloudwatch', $or: { metricType: 'MetricType' } },
      matches: true,
    },
  ]);
});

describe('event patterns: operator variants', () => {
  run([
    {
      name: 'prefix ignoring case',
      pattern: { service: [{ prefix: { 'equals-ignore-case': 'EventB' } }] },
      event: { service: 'eventbridge' },
      matches: true,
    },
    {
      name: 'prefix ignoring case, no',
      pattern: { service: [{ prefix: { 'equals-ignore-case': 'EventC' } }] },
      event: { service: 'eventbridge' },
      matches: false,
    },
    {
      name: 'suffix ignoring case',
      pattern: { FileName: [{ suffix: { 'equals-ignore-case': '.png' } }] },
      event: { FileName: 'A.PNG' },
      matches: true,
    },
    {
      name: 'anything-but suffix',
      pattern: { FileName: [{ 'anything-but': { suffix: '.png' } }] },
      event: { FileName: 'a.jpg' },
      matches: true,
    },
    {
      name: 'anything-but suffix, excluded',
      pattern: { FileName: [{ 'anything-but': { suffix: '.png' } }] },
      event: { FileName: 'a.png' },
      matches: false,
    },
    {
      name: 'anything-but equals-ignore-case',
      pattern: { state: [{ 'anything-but': { 'equals-ignore-case': 'initializing' } }] },
      event: { state: 'INITIALIZING' },
      matches: false,
    },
    {
      name: 'anything-but equals-ignore-case list',
      pattern: { state: [{ 'anything-but': { 'equals-ignore-case': ['a', 'b'] } }] },
      event: { state: 'C' },
      matches: true,
    },
    {
      name: 'anything-but wildcard',
      pattern: { FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] },
      event: { FilePath: '/usr/lib/x' },
      matches: false,
    },
    {
      name: 'anything-but wildcard, other path',
      pattern: { FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] },
      event: { FilePath: '/usr/bin/x' },
      matches: true,
    },
    {
      name: 'anything-but prefix list',
      pattern: { Region: [{ 'anything-but': { prefix: ['us-', 'eu-'] } }] },
      event: { Region: 'eu-west-1' },
      matches: false,
    },
    {
      name: 'wildcard with an escaped star',
      pattern: { a: [{ wildcard: 'x\\*y' }] },
      event: { a: 'x*y' },
      matches: true,
    },
    {
      name: 'escaped star is literal',
      pattern: { a: [{ wildcard: 'x\\*y' }] },
      event: { a: 'xzy' },
      matches: false,
    },
    {
      name: 'wildcard star matches nothing',
      pattern: { a: [{ wildcard: 'ab*' }] },
      event: { a: 'ab' },
      matches: true,
    },
    {
      name: 'wildcard keeps regex characters literal',
      pattern: { a: [{ wildcard: 'a.b*' }] },
      event: { a: 'axb' },
      matches: false,
    },
    {
      name: 'wildcard spanning newlines',
      pattern: { a: [{ wildcard: 'a*b' }] },
      event: { a: 'a\n\nb' },
      matches: true,
    },
    {
      name: 'cidr IPv6',
      pattern: { ip: [{ cidr: '2001:db8::/32' }] },
      event: { ip: '2001:db8:1::5' },
      matches: true,
    },
    {
      name: 'cidr IPv6, outside',
      pattern: { ip: [{ cidr: '2001:db8::/32' }] },
      event: { ip: '2001:db9::1' },
      matches: false,
    },
    {
      name: 'cidr on a non-address string',
      pattern: { ip: [{ cidr: '10.0.0.0/8' }] },
      event: { ip: 'ten' },
      matches: false,
    },
    {
      name: 'mixed rule list is an OR',
      pattern: { a: ['x', { prefix: 'zz' }, { numeric: ['>', 100] }] },
      event: { a: 101 },
      matches: true,
    },
    {
      name: 'numeric equals',
      pattern: { price: [{ numeric: ['=', 100] }] },
      event: { price: 100 },
      matches: true,
    },
    {
      name: 'numeric range, Lambda doc',
      pattern: { data: { Temperature: [{ numeric: ['>', 50, '<=', 60] }] } },
      event: { data: { Temperature: 60 } },
      matches: true,
    },
    {
      name: 'numeric negative values',
      pattern: { t: [{ numeric: ['>=', -10.5, '<', 0] }] },
      event: { t: -10.5 },
      matches: true,
    },
    {
      name: 'top-level array event matched element-wise',
      pattern: { a: [1] },
      event: [{ a: 2 }, { a: 1 }],
      matches: true,
    },
    { name: 'a non-object event', pattern: { a: [1] }, event: 'text', matches: false },
  ]);
});

describe('matchesAny', () => {
  it('ORs patterns and is false for none', () => {
    const a = compilePattern('{"a":[1]}');
    const b = compilePattern('{"b":[2]}');
    assert.equal(matchesAny([a, b], { b: 2 }), true);
    assert.equal(matchesAny([a, b], { c: 3 }), false);
    assert.equal(matchesAny([], { a: 1 }), false);
  });
});

describe('invalid patterns are refused with EventPatternError', () => {
  const invalid: readonly [string, string][] = [
    ['not JSON', '{"a": [1'],
    ['an array', '[{"a":[1]}]'],
    ['a string', '"a"'],
    ['an empty object', '{}'],
    ['a nested empty object', '{"a":{}}'],
    ['a bare value', '{"a":"b"}'],
    ['a bare number', '{"a":5}'],
    ['an empty match array', '{"a":[]}'],
    ['an array in a match array', '{"a":[[1]]}'],
    ['an unknown operator', '{"a":[{"contains":"x"}]}'],
    ['two operators in one object', '{"a":[{"prefix":"a","suffix":"b"}]}'],
    ['a numeric prefix', '{"a":[{"prefix":1}]}'],
    ['prefix with an unknown nested operator', '{"a":[{"prefix":{"wildcard":"x"}}]}'],
    ['exists with a string', '{"a":[{"exists":"true"}]}'],
    ['numeric with one element', '{"a":[{"numeric":[">"]}]}'],
    ['numeric with three elements', '{"a":[{"numeric":[">",1,"<"]}]}'],
    ['numeric upper bound first', '{"a":[{"numeric":["<",5,">",1]}]}'],
    ['numeric bottom above top', '{"a":[{"numeric":[">",5,"<",1]}]}'],
    ['numeric two lower bounds', '{"a":[{"numeric":[">",1,">=",2]}]}'],
    ['numeric = combined', '{"a":[{"numeric":["=",1,"<",2]}]}'],
    ['numeric string bound', '{"a":[{"numeric":[">","1"]}]}'],
    ['numeric unknown operator', '{"a":[{"numeric":["!=",1]}]}'],
    ['numeric out of range', '{"a":[{"numeric":[">",1e10]}]}'],
    ['numeric not an array', '{"a":[{"numeric":5}]}'],
    ['cidr without a prefix length', '{"a":[{"cidr":"10.0.0.1"}]}'],
    ['cidr prefix length too long', '{"a":[{"cidr":"10.0.0.0/33"}]}'],
    ['cidr of a non-address', '{"a":[{"cidr":"ten/8"}]}'],
    ['anything-but empty list', '{"a":[{"anything-but":[]}]}'],
    ['anything-but mixed list', '{"a":[{"anything-but":["a",1]}]}'],
    ['anything-but boolean', '{"a":[{"anything-but":true}]}'],
    ['anything-but numeric', '{"a":[{"anything-but":{"numeric":[">",1]}}]}'],
    ['anything-but prefix number', '{"a":[{"anything-but":{"prefix":1}}]}'],
    ['consecutive wildcards', '{"a":[{"wildcard":"a**b"}]}'],
    ['wildcard bad escape', '{"a":[{"wildcard":"a\\\\b"}]}'],
    ['equals-ignore-case number', '{"a":[{"equals-ignore-case":1}]}'],
  ];
  for (const [name, text] of invalid) {
    it(name, () => {
      assert.throws(() => compilePattern(text), EventPatternError);
    });
  }
});
