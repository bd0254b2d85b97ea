// The sandbox's waiting line on its own: accounts in turn, first-in-first-out within one.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FairQueue } from '../../../src/sandbox/fair-queue.js';

function drain<K, T>(q: FairQueue<K, T>): T[] {
  const out: T[] = [];
  for (let x = q.shift(); x !== undefined; x = q.shift()) out.push(x);
  return out;
}

describe('FairQueue', () => {
  it('serves accounts in turn and each account first-in-first-out', () => {
    const q = new FairQueue<string, string>();
    for (let i = 1; i <= 5; i++) q.push('a', `a${i}`);
    q.push('b', 'b1');
    q.push('b', 'b2');
    q.push('c', 'c1');
    assert.equal(q.size, 8);
    assert.equal(q.waiting('a'), 5);
    assert.deepEqual(drain(q), ['a1', 'b1', 'c1', 'a2', 'b2', 'a3', 'a4', 'a5']);
    assert.equal(q.size, 0);
    assert.equal(q.shift(), undefined);
  });

  it('an account that comes back after its line emptied waits behind the accounts already waiting', () => {
    const q = new FairQueue<string, string>();
    q.push('a', 'a1');
    q.push('b', 'b1');
    q.push('b', 'b2');
    assert.equal(q.shift(), 'a1');
    q.push('a', 'a2');
    assert.deepEqual(drain(q), ['b1', 'a2', 'b2']);
  });

  it('remove takes one waiting item out and keeps the others in order', () => {
    const q = new FairQueue<string, string>();
    q.push('a', 'a1');
    q.push('a', 'a2');
    q.push('b', 'b1');
    assert.equal(q.remove('a', 'a1'), true);
    assert.equal(q.remove('a', 'a1'), false);
    assert.equal(q.remove('c', 'x'), false);
    assert.equal(q.waiting('a'), 1);
    assert.equal(q.size, 2);
    assert.equal(q.remove('b', 'b1'), true);
    assert.equal(q.waiting('b'), 0);
    assert.deepEqual(drain(q), ['a2']);
  });
});
