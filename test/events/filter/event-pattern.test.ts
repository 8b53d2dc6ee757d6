import { describe } from 'node:test';
import { EC2_EVENT, run } from './cases.js';

describe('event patterns: documented examples on the EC2 event', () => {
  run([
    {
      name: 'simple matching (values as arrays, event array intersects)',
      pattern: {
        'detail-type': ['EC2 Instance State-change Notification'],
        resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000'],
        detail: { state: ['initializing', 'running'] },
      },
      matches: true,
    },
    {
      name: 'exact value absent from the list',
      pattern: { detail: { state: ['stopped'] } },
      matches: false,
    },
    { name: 'prefix', pattern: { time: [{ prefix: '2017-10-02' }] }, matches: true },
    { name: 'prefix, other day', pattern: { time: [{ prefix: '2017-10-03' }] }, matches: false },
    { name: 'suffix', pattern: { source: [{ suffix: 'ec2' }] }, matches: true },
    { name: 'suffix, wrong', pattern: { source: [{ suffix: 'ec3' }] }, matches: false },
    {
      name: 'equals-ignore-case',
      pattern: { source: [{ 'equals-ignore-case': 'AWS.EC2' }] },
      matches: true,
    },
    {
      name: 'equals-ignore-case, different text',
      pattern: { source: [{ 'equals-ignore-case': 'EC2' }] },
      matches: false,
    },
    { name: 'wildcard', pattern: { source: [{ wildcard: 'aws.*' }] }, matches: true },
    {
      name: 'wildcard in the middle',
      pattern: { 'detail-type': [{ wildcard: 'EC2*Notification' }] },
      matches: true,
    },
    { name: 'wildcard, no match', pattern: { source: [{ wildcard: '*.ec3' }] }, matches: false },
    {
      name: 'anything-but string',
      pattern: { detail: { state: [{ 'anything-but': 'initializing' }] } },
      matches: true,
    },
    {
      name: 'anything-but the value itself',
      pattern: { detail: { state: [{ 'anything-but': 'running' }] } },
      matches: false,
    },
    {
      name: 'anything-but number',
      pattern: { detail: { 'x-limit': [{ 'anything-but': 123 }] } },
      matches: true,
    },
    {
      name: 'anything-but list of strings',
      pattern: { detail: { state: [{ 'anything-but': ['stopped', 'overloaded'] }] } },
      matches: true,
    },
    {
      name: 'anything-but list containing the value',
      pattern: { detail: { state: [{ 'anything-but': ['stopped', 'running'] }] } },
      matches: false,
    },
    {
      name: 'anything-but list of numbers',
      pattern: { detail: { 'x-limit': [{ 'anything-but': [100, 200, 300] }] } },
      matches: true,
    },
    {
      name: 'anything-but list of numbers containing it',
      pattern: { detail: { 'x-limit': [{ 'anything-but': [301.8] }] } },
      matches: false,
    },
    {
      name: 'anything-but prefix',
      pattern: { detail: { state: [{ 'anything-but': { prefix: 'init' } }] } },
      matches: true,
    },
    {
      name: 'anything-but prefix of the value',
      pattern: { detail: { state: [{ 'anything-but': { prefix: 'run' } }] } },
      matches: false,
    },
    {
      name: 'numeric ranges (all must hold)',
      pattern: {
        detail: {
          'c-count': [{ numeric: ['>', 0, '<=', 5] }],
          'd-count': [{ numeric: ['<', 10] }],
          'x-limit': [{ numeric: ['=', 3.018e2] }],
        },
      },
      matches: true,
    },
    {
      name: 'numeric, open bound excludes',
      pattern: { detail: { 'c-count': [{ numeric: ['>', 5] }] } },
      matches: false,
    },
    {
      name: 'numeric, closed bound includes',
      pattern: { detail: { 'c-count': [{ numeric: ['>=', 5] }] } },
      matches: true,
    },
    {
      name: 'cidr IPv4',
      pattern: { detail: { 'source-ip': [{ cidr: '10.0.0.0/24' }] } },
      matches: true,
    },
    {
      name: 'cidr IPv4, other network',
      pattern: { detail: { 'source-ip': [{ cidr: '10.0.1.0/24' }] } },
      matches: false,
    },
    {
      name: 'cidr IPv4 /8',
      pattern: { detail: { 'source-ip': [{ cidr: '10.0.0.0/8' }] } },
      matches: true,
    },
    { name: 'exists true', pattern: { detail: { 'c-count': [{ exists: true }] } }, matches: true },
    {
      name: 'exists false on a present field',
      pattern: { detail: { 'c-count': [{ exists: false }] } },
      matches: false,
    },
    {
      name: 'exists false on an absent field',
      pattern: { detail: { 'e-count': [{ exists: false }] } },
      matches: true,
    },
    {
      name: 'exists true on an absent field',
      pattern: { detail: { 'e-count': [{ exists: true }] } },
      matches: false,
    },
    {
      name: 'complex example with multiple matching',
      pattern: {
        time: [{ prefix: '2017-10-02' }],
        detail: {
          state: [{ 'anything-but': 'initializing' }],
          'c-count': [{ numeric: ['>', 0, '<=', 5] }],
          'd-count': [{ numeric: ['<', 10] }],
          'x-limit': [{ 'anything-but': [100, 200, 300] }],
          'source-ip': [{ cidr: '10.0.0.0/8' }],
        },
      },
      matches: true,
    },
    { name: 'a field the event lacks', pattern: { detail: { zone: ['a'] } }, matches: false },
    {
      name: 'anything-but on a field the event lacks',
      pattern: { zone: [{ 'anything-but': 'a' }] },
      matches: false,
    },
  ]);
});

describe('event patterns: exists works on leaves only (documented)', () => {
  const event = {
    'detail-type': ['EC2 Instance State-change Notification'],
    detail: { state: ['initializing', 'running'], 'c-count': { c1: 100 } },
  };
  run([
    {
      name: 'exists false where the field is an object',
      pattern: { detail: { 'c-count': [{ exists: false }] } },
      event,
      matches: true,
    },
    {
      name: 'exists true where the field is an object',
      pattern: { detail: { 'c-count': [{ exists: true }] } },
      event,
      matches: false,
    },
    {
      name: 'exists false on a whole missing branch',
      pattern: { other: { x: [{ exists: false }] } },
      event,
      matches: true,
    },
    {
      name: 'exists true on an empty array',
      pattern: { a: [{ exists: true }] },
      event: { a: [] },
      matches: false,
    },
    {
      name: 'exists false on an empty array',
      pattern: { a: [{ exists: false }] },
      event: { a: [] },
      matches: true,
    },
    {
      name: 'exists true on null',
      pattern: { a: [{ exists: true }] },
      event: { a: null },
      matches: true,
    },
  ]);
});

describe('event patterns: null, empty strings and types', () => {
  const event = { detail: { eventVersion: '', responseElements: null, n: 300, b: true, s: '300' } };
  run([
    { name: 'empty string', pattern: { detail: { eventVersion: [''] } }, event, matches: true },
    { name: 'null', pattern: { detail: { responseElements: [null] } }, event, matches: true },
    {
      name: 'empty string is not null',
      pattern: { detail: { responseElements: [''] } },
      event,
      matches: false,
    },
    {
      name: 'null is not an empty string',
      pattern: { detail: { eventVersion: [null] } },
      event,
      matches: false,
    },
    { name: 'number equals number', pattern: { detail: { n: [300] } }, event, matches: true },
    {
      name: 'string "300" is not the number 300',
      pattern: { detail: { n: ['300'] } },
      event,
      matches: false,
    },
    {
      name: 'number 300 is not the string "300"',
      pattern: { detail: { s: [300] } },
      event,
      matches: false,
    },
    { name: 'boolean', pattern: { detail: { b: [true] } }, event, matches: true },
    { name: 'boolean false', pattern: { detail: { b: [false] } }, event, matches: false },
    {
      name: 'boolean is not the string',
      pattern: { detail: { b: ['true'] } },
      event,
      matches: false,
    },
    {
      name: 'prefix applies to strings only',
      pattern: { detail: { n: [{ prefix: '3' }] } },
      event,
      matches: false,
    },
    {
      name: 'numeric applies to numbers only',
      pattern: { detail: { s: [{ numeric: ['=', 300] }] } },
      event,
      matches: false,
    },
    {
      name: 'equals-ignore-case on a number',
      pattern: { detail: { n: [{ 'equals-ignore-case': '300' }] } },
      event,
      matches: false,
    },
    {
      name: 'case matters for exact strings',
      pattern: { source: ['AWS.EC2'] },
      event: EC2_EVENT,
      matches: false,
    },
  ]);
});
