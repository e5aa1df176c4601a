import { readFileSync } from 'node:fs'

// Deterministic pseudo-random inputs for property-style tests (mulberry32), so a failure reproduces from its seed.
export interface Rng {
  u32(): number
  int(maxExclusive: number): number
  bool(): boolean
  bytes(n: number): Uint8Array
  /** uniform-ish bigint below 2^bits, biased towards edge sizes */
  bigint(bits: number): bigint
}

export function rng(seed: number): Rng {
  let s = seed >>> 0
  const u32 = () => {
    s = (s + 0x6d2b79f5) >>> 0
    let t = s
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return (t ^ (t >>> 14)) >>> 0
  }
  const int = (max: number) => u32() % max
  const bytes = (n: number) => {
    const out = new Uint8Array(n)
    for (let i = 0; i < n; i++) out[i] = u32() & 0xff
    return out
  }
  const bigint = (bits: number) => {
    const pick = int(6)
    if (pick === 0) return 0n
    if (pick === 1) return (1n << BigInt(bits)) - 1n
    const width = pick === 2 ? 1 + int(16) : 1 + int(bits)
    let v = 0n
    for (let i = 0; i < width; i += 32) v = (v << 32n) | BigInt(u32())
    return BigInt.asUintN(Math.min(width, bits), v)
  }
  return { u32, int, bool: () => (u32() & 1) === 1, bytes, bigint }
}

/** Reads a file under test/fixtures/opstack/. */
export function fixture(rel: string): string {
  return readFileSync(new URL(`../fixtures/opstack/${rel}`, import.meta.url), 'utf8')
}

export function fixtureJson<T = unknown>(rel: string): T {
  return JSON.parse(fixture(rel)) as T
}
