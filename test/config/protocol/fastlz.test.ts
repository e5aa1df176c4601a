import { describe, expect, it } from 'vitest'
import { hexToBytes } from '../../../config/bytes.ts'
import { flzCompressLen, setFlzTableBaseForTesting } from '../../../config/protocol/fastlz.ts'
import { fixtureJson, type Rng, rng } from '../../helpers/random.ts'

interface FlzVector {
  input_hex: string | null
  input_desc: string
  input_repeat?: { byte: string; count: number }
  expected_len: number
}
interface GpoCase {
  fork: string
  data: string
  flz_len_plus_68?: number
}
const fees = fixtureJson<{ flz_compress_len: FlzVector[]; gas_price_oracle: { cases: GpoCase[] } }>(
  'fees/fastlz_l1cost_vectors.json',
)

function inputOf(v: FlzVector): Uint8Array {
  if (v.input_repeat) return new Uint8Array(v.input_repeat.count).fill(Number.parseInt(v.input_repeat.byte, 16))
  return hexToBytes(v.input_hex ?? '')
}

/**
 * Straight transcription of the spec pseudo-code (opstack-spec §3.3) with a freshly zeroed table per call,
 * no table reuse and no inlining: the baseline the optimised implementation must equal.
 */
function referenceFlzCompressLen(ib: Uint8Array): number {
  let n = 0
  const ht = new Uint32Array(8192)
  const u24 = (i: number) => ib[i]! | (ib[i + 1]! << 8) | (ib[i + 2]! << 16)
  const hash = (v: number) => Number(((BigInt(v) * 2654435769n) % 2n ** 32n) >> 19n) & 0x1fff
  const literals = (r: number) => {
    n += 0x21 * Math.floor(r / 0x20)
    r %= 0x20
    if (r) n += r + 1
  }
  const match = (l: number) => {
    l--
    n += 3 * Math.floor(l / 262)
    n += l % 262 >= 6 ? 3 : 2
  }
  const cmp = (p: number, q: number, e: number) => {
    let l = 0
    for (e -= q; l < e; l++) if (ib[p + l] !== ib[q + l]) e = 0
    return l
  }
  const setNextHash = (p: number) => {
    ht[hash(u24(p))] = p
    return p + 1
  }
  let a = 0
  const ipLimit = ib.length >= 13 ? ib.length - 13 : 0
  let ip = 2
  while (ip < ipLimit) {
    let r = 0
    for (;;) {
      const s = u24(ip)
      const h = hash(s)
      r = ht[h]!
      ht[h] = ip
      const d = (ip - r) >>> 0
      if (ip >= ipLimit) break
      ip++
      if (d <= 0x1fff && s === u24(r)) break
    }
    if (ip >= ipLimit) break
    ip--
    if (ip > a) literals(ip - a)
    const l = cmp(r + 3, ip + 3, ipLimit + 9)
    match(l)
    ip = setNextHash(setNextHash(ip + l))
    a = ip
  }
  literals(ib.length - a)
  return n
}

/** Inputs with structure: repeats at various distances, runs, near-matches, random tails. */
function structured(r: Rng): Uint8Array {
  const len = [0, 1, 12, 13, 14, 15, 16, 100, 300, 1000, 9000, 20000][r.int(12)]!
  const out = new Uint8Array(len)
  let i = 0
  while (i < len) {
    const mode = r.int(4)
    const chunk = 1 + r.int(600)
    if (mode === 0) out.set(r.bytes(Math.min(chunk, len - i)), i)
    else if (mode === 1) out.fill(r.int(3), i, Math.min(len, i + chunk))
    else if (i > 0) {
      const dist = 1 + r.int(Math.min(i, mode === 2 ? 0x1fff : 0x4000))
      for (let k = 0; k < chunk && i + k < len; k++) out[i + k] = out[i + k - dist]!
      if (mode === 3 && i + 3 < len) out[i + 3] = out[i + 3]! ^ 1 // near-match
    }
    i += chunk
  }
  return out
}

describe('FlzCompressLen', () => {
  for (const v of fees.flz_compress_len) {
    it(`op-geth TestFlzCompressLen: ${v.input_desc}`, () => {
      expect(flzCompressLen(inputOf(v))).toBe(v.expected_len)
      expect(referenceFlzCompressLen(inputOf(v))).toBe(v.expected_len)
    })
  }

  it('GasPriceOracle.t.sol inputs: len(flzCompress(data)) + 68', () => {
    for (const c of fees.gas_price_oracle.cases) {
      if (c.flz_len_plus_68 === undefined) continue
      expect(flzCompressLen(hexToBytes(c.data)) + 68).toBe(c.flz_len_plus_68)
    }
  })

  it('equals the literal spec transcription on structured random inputs (table reuse is invisible)', () => {
    const r = rng(99)
    for (let i = 0; i < 400; i++) {
      const input = structured(r)
      expect(flzCompressLen(input)).toBe(referenceFlzCompressLen(input))
    }
  })

  it('gives the same result when called repeatedly and interleaved (no state leaks between calls)', () => {
    const r = rng(4)
    const inputs = Array.from({ length: 30 }, () => structured(r))
    const first = inputs.map(flzCompressLen)
    const again = [...inputs].reverse().map(flzCompressLen).reverse()
    expect(again).toEqual(first)
  })

  it('resets the reused table safely before its base would pass 2^32', () => {
    const r = rng(6)
    const a = structured(r)
    const big = new Uint8Array(5000)
    for (let i = 0; i < big.length; i++) big[i] = i % 7 === 0 ? r.int(256) : big[i >> 1]!
    const want = [referenceFlzCompressLen(big), referenceFlzCompressLen(a)]
    setFlzTableBaseForTesting(2 ** 32 - 3000) // `big` forces the reset; `a` then runs on the fresh table
    expect([flzCompressLen(big), flzCompressLen(a)]).toEqual(want)
    setFlzTableBaseForTesting(2 ** 32 - 6000) // fits without reset; stale entries are then all below the base
    expect([flzCompressLen(big), flzCompressLen(big), flzCompressLen(a)]).toEqual([want[0], want[0], want[1]])
  })
})
