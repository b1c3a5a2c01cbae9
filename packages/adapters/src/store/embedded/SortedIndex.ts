/** What the index keeps per key: the value as JSON text (so callers can never mutate stored state) and its expiry. */
export interface IndexEntry {
  readonly json: string;
  readonly expiresAt: number | undefined;
}

/**
 * A map whose keys are also kept in a sorted array, so prefix scans come out ordered without
 * sorting on every read. Keys compare by UTF-16 code units (JavaScript's `<`), and all keys
 * with a given prefix form one contiguous run of that array.
 */
export class SortedIndex {
  private readonly entries = new Map<string, IndexEntry>();
  private readonly keys: Array<string> = [];

  get size(): number {
    return this.entries.size;
  }

  get(key: string): IndexEntry | undefined {
    return this.entries.get(key);
  }

  /** Stores `entry` and returns what was there before. */
  set(key: string, entry: IndexEntry): IndexEntry | undefined {
    const previous = this.entries.get(key);
    this.entries.set(key, entry);
    if (previous === undefined) this.keys.splice(this.lowerBound(key), 0, key);
    return previous;
  }

  /** Removes `key` and returns what was there. */
  delete(key: string): IndexEntry | undefined {
    const previous = this.entries.get(key);
    if (previous === undefined) return undefined;
    this.entries.delete(key);
    this.keys.splice(this.lowerBound(key), 1);
    return previous;
  }

  /** Entries whose key starts with `prefix`, in key order. */
  *range(prefix: string): Generator<readonly [string, IndexEntry]> {
    const end = this.prefixEnd(prefix);
    for (let i = this.lowerBound(prefix); i < end; i++) {
      const key = this.keys[i]!;
      yield [key, this.entries.get(key)!];
    }
  }

  /** The greatest key that starts with `prefix`. */
  lastKey(prefix: string): string | undefined {
    const end = this.prefixEnd(prefix);
    return end > this.lowerBound(prefix) ? this.keys[end - 1] : undefined;
  }

  private lowerBound(key: string): number {
    let lo = 0;
    let hi = this.keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.keys[mid]! < key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The index just past the run of keys starting with `prefix`. */
  private prefixEnd(prefix: string): number {
    let lo = this.lowerBound(prefix);
    let hi = this.keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.keys[mid]!.startsWith(prefix)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
