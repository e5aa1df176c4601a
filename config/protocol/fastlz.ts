// FlzCompressLen: the compressed length FastLZ (level 1) would produce, bit-exact with solady's
// LibZip.flzCompress and op-geth's FlzCompressLen (opstack-spec §3.3). Used by the Fjord L1 fee.
// Ported from the spec's pseudo-code; the hash table is reused across calls (single-threaded).

// Entries are stamped with a per-call generation instead of clearing 32 KiB per call: an entry from an older
// call reads as 0, exactly like a freshly zeroed table.
const table = new Uint32Array(8192)
const stamp = new Uint32Array(8192)
let generation = 0

export function flzCompressLen(ib: Uint8Array): number {
  const len = ib.length
  generation++
  if (generation === 0xffffffff) {
    stamp.fill(0)
    generation = 1
  }
  const gen = generation
  const get = (h: number) => (stamp[h] === gen ? (table[h] as number) : 0)
  const set = (h: number, v: number) => {
    table[h] = v
    stamp[h] = gen
  }
  let n = 0
  const u24 = (i: number) => (ib[i] as number) | ((ib[i + 1] as number) << 8) | ((ib[i + 2] as number) << 16)
  const hash = (v: number) => (Math.imul(0x9e3779b9, v) >>> 19) & 0x1fff
  const literals = (r: number) => {
    n += 0x21 * Math.floor(r / 0x20)
    r %= 0x20
    if (r !== 0) n += r + 1
  }
  const match = (l: number) => {
    l--
    n += 3 * Math.floor(l / 262)
    n += l % 262 >= 6 ? 3 : 2
  }
  const setNextHash = (p: number) => {
    set(hash(u24(p)), p)
    return p + 1
  }
  let a = 0
  const ipLimit = len >= 13 ? len - 13 : 0
  let ip = a + 2
  while (ip < ipLimit) {
    let r = 0
    for (;;) {
      const s = u24(ip)
      const h = hash(s)
      r = get(h)
      set(h, ip)
      const d = (ip - r) >>> 0
      if (ip >= ipLimit) break
      ip++
      if (d <= 0x1fff && s === u24(r)) break
    }
    if (ip >= ipLimit) break
    ip--
    if (ip > a) literals(ip - a)
    // cmp(r+3, ip+3, ipLimit+9): a mismatching byte still counts once (Go loop semantics)
    const p = r + 3
    const q = ip + 3
    let e = ipLimit + 9 - q
    let l = 0
    while (l < e) {
      if (ib[p + l] !== ib[q + l]) e = 0
      l++
    }
    match(l)
    ip = setNextHash(setNextHash(ip + l))
    a = ip
  }
  literals(len - a)
  return n
}
