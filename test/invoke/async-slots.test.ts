import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AsyncSlots } from '../../src/invoke/async-slots.js';

describe('AsyncSlots', () => {
  it('doubles while events wait and the CPU has room, up to its maximum', () => {
    const slots = new AsyncSlots(4, 20, () => true);
    const limits = [1, 2, 3].map(() => {
      slots.adjust(true);
      return slots.limit;
    });
    assert.deepEqual(limits, [8, 16, 20]);
  });

  it('stays at its floor when the CPU is saturated, however long the backlog', () => {
    const slots = new AsyncSlots(4, 20, () => false);
    slots.adjust(true);
    slots.adjust(true);
    assert.equal(slots.limit, 4);
  });

  it('halves back to its floor once nothing waits, without asking about the CPU', () => {
    let asked = 0;
    const slots = new AsyncSlots(3, 100, () => {
      asked += 1;
      return true;
    });
    for (let i = 0; i < 5; i += 1) {
      slots.adjust(true);
    }
    assert.equal(slots.limit, 96);
    const limits = [1, 2, 3, 4, 5, 6].map(() => {
      slots.adjust(false);
      return slots.limit;
    });
    assert.deepEqual(limits, [48, 24, 12, 6, 3, 3]);
    assert.equal(asked, 5);
  });

  it('halves when the CPU fills up under a backlog', () => {
    let spare = true;
    const slots = new AsyncSlots(2, 64, () => spare);
    slots.adjust(true);
    slots.adjust(true);
    assert.equal(slots.limit, 8);
    spare = false;
    slots.adjust(true);
    assert.equal(slots.limit, 4);
  });
});
