// The sandbox's waiting line: accounts take turns (round-robin across the accounts with something
// waiting), each account's own items go first-in-first-out. So one account's backlog delays another
// account's item by at most one item per other waiting account, never by the whole backlog.

export class FairQueue<K, T> {
  /** Accounts with waiting items, in turn order: a Map keeps insertion order, and re-inserting moves a key to the end. */
  private readonly lines = new Map<K, T[]>();
  private count = 0;

  /** Items waiting in all. */
  get size(): number {
    return this.count;
  }

  /** Items `key` has waiting. */
  waiting(key: K): number {
    return this.lines.get(key)?.length ?? 0;
  }

  /** Appends `item` to its account's line; an account that had nothing waiting takes its turn after the others. */
  push(key: K, item: T): void {
    const line = this.lines.get(key);
    if (line) line.push(item);
    else this.lines.set(key, [item]);
    this.count++;
  }

  /** The oldest item of the account whose turn it is; that account's next turn comes after every other's. */
  shift(): T | undefined {
    for (const [key, line] of this.lines) {
      const item = line.shift() as T;
      this.lines.delete(key);
      if (line.length > 0) this.lines.set(key, line);
      this.count--;
      return item;
    }
    return undefined;
  }

  /** Takes `item` out of line (its waiter gave up); false when it was not waiting. */
  remove(key: K, item: T): boolean {
    const line = this.lines.get(key);
    const i = line ? line.indexOf(item) : -1;
    if (!line || i < 0) return false;
    line.splice(i, 1);
    if (line.length === 0) this.lines.delete(key);
    this.count--;
    return true;
  }
}
