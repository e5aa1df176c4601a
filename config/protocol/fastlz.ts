// FlzCompressLen: the length FastLZ level 1 (solady `LibZip.flzCompress`) would produce, bit-exact with op-geth
// `FlzCompressLen` (opstack-spec §3.3). The loop follows the spec's pseudo-code literally, in uint32 arithmetic.
//
// Speed: one module-level Uint32Array hash table is reused across calls and never cleared per call. Each call gets a
// fresh `base`; entries store `base + ip`, and an entry below the current base is from an older call and reads as 0,
// exactly like the zeroed table of the reference. The table is cleared only when `base` would pass 2^32.

const HASH_LOG = 13
const HASH_SIZE = 1 << HASH_LOG // 8192
const HASH_MASK = HASH_SIZE - 1
const MAX_DISTANCE = 0x1fff
const U32_LIMIT = 0xffff_ffff

const table = new Uint32Array(HASH_SIZE)
let nextBase = 1

function literalsLen(r: number): number {
  // n += 0x21 * (r / 0x20); r %= 0x20; if r: n += r + 1
  let n = 0x21 * (r >>> 5)
  r &= 0x1f
  if (r !== 0) n += r + 1
  return n
}

function matchLen(l: number): number {
  // l--; n += 3 * (l / 262); n += (l % 262 >= 6) ? 3 : 2
  l--
  return 3 * Math.floor(l / 262) + (l % 262 >= 6 ? 3 : 2)
}

/** Compressed length of `ib` under FastLZ level 1 (solady/op-geth), used by the Fjord L1 fee. */
export function flzCompressLen(ib: Uint8Array): number {
  const len = ib.length
  if (nextBase + len + 1 >= U32_LIMIT) {
    table.fill(0)
    nextBase = 1
  }
  const base = nextBase
  nextBase += len + 1

  let n = 0
  let a = 0
  const ipLimit = len >= 13 ? len - 13 : 0
  let ip = 2
  while (ip < ipLimit) {
    let r = 0
    for (;;) {
      // s = u24(ip); h = hash(s); r = ht[h]; ht[h] = ip; d = ip - r
      const s = ib[ip]! | (ib[ip + 1]! << 8) | (ib[ip + 2]! << 16)
      const h = (Math.imul(s, 0x9e3779b9) >>> 19) & HASH_MASK
      const stored = table[h]!
      r = stored >= base ? stored - base : 0
      table[h] = base + ip
      const d = (ip - r) >>> 0
      if (ip >= ipLimit) break
      ip++
      if (d <= MAX_DISTANCE && s === (ib[r]! | (ib[r + 1]! << 8) | (ib[r + 2]! << 16))) break
    }
    if (ip >= ipLimit) break
    ip--
    if (ip > a) n += literalsLen(ip - a)
    // l = cmp(r+3, ip+3, ipLimit+9): a mismatching byte still counts once (the Go loop increments before exiting)
    const p = r + 3
    const q = ip + 3
    let e = ipLimit + 9 - q
    let l = 0
    while (l < e) {
      if (ib[p + l] !== ib[q + l]) e = 0
      l++
    }
    n += matchLen(l)
    // ip = setNextHash(setNextHash(ip + l)); setNextHash(p): ht[hash(u24(p))] = p; return p + 1
    ip += l
    for (let k = 0; k < 2; k++, ip++) {
      const s = ib[ip]! | (ib[ip + 1]! << 8) | (ib[ip + 2]! << 16)
      table[(Math.imul(s, 0x9e3779b9) >>> 19) & HASH_MASK] = base + ip
    }
    a = ip
  }
  return n + literalsLen(len - a)
}

/** Test hook: sets the table base of the next call (exercises the reset near 2^32). Not for production use. */
export function setFlzTableBaseForTesting(base: number): void {
  if (!Number.isInteger(base) || base < 1 || base >= U32_LIMIT) throw new RangeError('base must be in [1, 2^32-1)')
  nextBase = base
}
