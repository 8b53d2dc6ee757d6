import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GroupCommit } from '../../src/invoke/group-commit.js';

describe('GroupCommit', () => {
  it('writes the items of one event-loop turn together and answers each after its write commits', async () => {
    const writes: number[][] = [];
    const events: string[] = [];
    const group = new GroupCommit<number>(
      async (items) => {
        writes.push([...items]);
        await new Promise((resolve) => setImmediate(resolve));
        events.push(`committed ${String(items.length)}`);
      },
      (items) => events.push(`after ${items.join(',')}`),
    );
    const first = [1, 2, 3].map((n) =>
      group.add(n).then(() => events.push(`answered ${String(n)}`)),
    );
    await Promise.all(first);
    await group.add(4);
    assert.deepEqual(writes, [[1, 2, 3], [4]]);
    assert.deepEqual(
      events.filter((e) => e.startsWith('answered')),
      ['answered 1', 'answered 2', 'answered 3'],
    );
    assert.equal(events[0], 'committed 3', 'nobody is answered before the write commits');
    assert.deepEqual(
      events.filter((e) => !e.startsWith('answered')),
      ['committed 3', 'after 1,2,3', 'committed 1', 'after 4'],
    );
  });

  it('writes one group at a time: items added while a write runs go together into the next', async () => {
    const writes: number[][] = [];
    let finish: () => void = () => {};
    const group = new GroupCommit<number>(async (items) => {
      writes.push([...items]);
      if (items[0] === 1) {
        await new Promise<void>((resolve) => (finish = resolve));
      }
    });
    const first = group.add(1);
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(writes, [[1]]);
    const later = [2, 3].map((n) => group.add(n));
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    const fourth = group.add(4);
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(writes, [[1]], 'nothing else is written while the first write runs');
    finish();
    await Promise.all([first, ...later, fourth]);
    assert.deepEqual(writes, [[1], [2, 3, 4]]);
  });

  it('rejects every item of a failed write, and writes later items anew', async () => {
    let fail = true;
    const group = new GroupCommit<string>((items) =>
      fail ? Promise.reject(new Error(`lost ${items.join(',')}`)) : Promise.resolve(),
    );
    const results = await Promise.allSettled([group.add('a'), group.add('b')]);
    assert.deepEqual(
      results.map((r) => (r.status === 'rejected' ? String(r.reason) : 'ok')),
      ['Error: lost a,b', 'Error: lost a,b'],
    );
    fail = false;
    await group.add('c');
  });
});
