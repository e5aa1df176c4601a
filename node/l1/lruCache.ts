// A count-bounded LRU map (Map keeps insertion order: a hit re-inserts, eviction drops the oldest key).

export class LruCache<K, V> {
  private readonly map = new Map<K, V>()

  constructor(readonly capacity: number) {
    if (!(capacity >= 1)) throw new RangeError(`LRU capacity must be >= 1, got ${capacity}`)
  }

  get size(): number {
    return this.map.size
  }

  get(key: K): V | undefined {
    const v = this.map.get(key)
    if (v === undefined) return undefined
    this.map.delete(key)
    this.map.set(key, v)
    return v
  }

  set(key: K, value: V): void {
    this.map.delete(key)
    this.map.set(key, value)
    if (this.map.size > this.capacity) this.map.delete(this.map.keys().next().value as K)
  }

  clear(): void {
    this.map.clear()
  }
}
