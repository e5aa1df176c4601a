// A small DEFLATE (RFC 1951) decoder with op-node's read semantics, used when the native zlib binding cannot
// give them: op-node reads channels through Go's compress/flate lazily, so (a) everything decoded before a
// corrupt symbol is still delivered, (b) a truncated stream yields every complete symbol, and (c) only the first
// MAX_RLP_BYTES_PER_CHANNEL bytes are ever looked at. Node's inflateSync throws away all output on an error
// and on maxOutputLength, so channelCompression.ts tries the native path first and falls back to this one.
//
// Validation follows Go's compress/flate: incomplete or over-subscribed Huffman codes are rejected except a
// single code of length 1; an empty distance code is accepted until it is used; HLIT > 286 or HDIST > 30,
// a repeat with no previous length, literal/length symbols 286/287, distance symbols 30/31, and distances
// beyond the bytes produced so far are corrupt.

export type InflateStatus = 'end' | 'truncated' | 'limit' | 'error'

export interface InflateResult {
  /** Bytes produced (at most maxOutput). */
  output: Uint8Array
  /** 'end': final block done; 'truncated': input ran out; 'limit': maxOutput reached; 'error': corrupt data. */
  status: InflateStatus
  /** Why the data is corrupt (status 'error'). */
  error?: string
}

const LEN_BASE = [
  3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258,
]
const LEN_EXTRA = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
const DIST_BASE = [
  1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145,
  8193, 12289, 16385, 24577,
]
const DIST_EXTRA = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13]
const CODELEN_ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]
const WINDOW = 32768
const MAX_BITS = 15

/** Thrown internally when the input ends inside a symbol. */
const TRUNCATED = Symbol('truncated')

class CorruptError {
  readonly message: string
  constructor(message: string) {
    this.message = message
  }
}

/** Single-level lookup table indexed by the next `bits` input bits (LSB first); entry = symbol << 4 | length. */
class HuffTable {
  readonly table: Int32Array
  bits = 0

  constructor(maxBits = MAX_BITS) {
    this.table = new Int32Array(1 << maxBits)
  }

  /** Build from code lengths. Returns false when the code is invalid (Go's huffmanDecoder.init). */
  build(lengths: Uint8Array, n: number): boolean {
    const count = new Int32Array(MAX_BITS + 1)
    let min = 0
    let max = 0
    for (let i = 0; i < n; i++) {
      const l = lengths[i]!
      if (l === 0) continue
      if (min === 0 || l < min) min = l
      if (l > max) max = l
      count[l]!++
    }
    this.bits = max
    if (max === 0) {
      // Empty code: valid until used (every lookup then fails).
      this.table[0] = 0
      return true
    }
    const next = new Int32Array(MAX_BITS + 1)
    let code = 0
    for (let i = min; i <= max; i++) {
      code <<= 1
      next[i] = code
      code += count[i]!
    }
    if (code !== 1 << max && !(code === 1 && max === 1)) return false
    const size = 1 << max
    const table = this.table
    table.fill(0, 0, size)
    for (let sym = 0; sym < n; sym++) {
      const l = lengths[sym]!
      if (l === 0) continue
      const c = next[l]!++
      let rev = 0
      for (let i = 0; i < l; i++) rev |= ((c >>> i) & 1) << (l - 1 - i)
      const entry = (sym << 4) | l
      for (let k = rev; k < size; k += 1 << l) table[k] = entry
    }
    return true
  }
}

class Inflater {
  private readonly input: Uint8Array
  private inPos = 0
  private bitBuf = 0
  private bitCnt = 0
  out: Uint8Array
  outLen = 0
  private readonly maxOutput: number
  private readonly lit = new HuffTable()
  private readonly dist = new HuffTable()
  private readonly codeLen = new HuffTable(7)
  private readonly lens = new Uint8Array(288 + 32)

  constructor(input: Uint8Array, maxOutput: number) {
    this.input = input
    this.maxOutput = maxOutput
    this.out = new Uint8Array(Math.min(maxOutput, Math.max(1024, input.length * 4)))
  }

  private need(n: number): void {
    while (this.bitCnt < n) {
      if (this.inPos >= this.input.length) throw TRUNCATED
      this.bitBuf |= this.input[this.inPos++]! << this.bitCnt
      this.bitCnt += 8
    }
  }

  private bits(n: number): number {
    if (this.bitCnt < n) this.need(n)
    const v = this.bitBuf & ((1 << n) - 1)
    this.bitBuf >>>= n
    this.bitCnt -= n
    return v
  }

  private decodeSym(h: HuffTable): number {
    const max = h.bits
    // Fill up to `max` bits if the input allows it.
    while (this.bitCnt < max && this.inPos < this.input.length) {
      this.bitBuf |= this.input[this.inPos++]! << this.bitCnt
      this.bitCnt += 8
    }
    const entry = h.table[this.bitBuf & ((1 << max) - 1)]!
    const len = entry & 15
    if (len === 0) {
      if (this.bitCnt >= max) throw new CorruptError('invalid Huffman code')
      throw TRUNCATED
    }
    if (len > this.bitCnt) throw TRUNCATED
    this.bitBuf >>>= len
    this.bitCnt -= len
    return entry >>> 4
  }

  /** Make room for `n` more bytes (n already clipped to the limit). */
  private ensure(n: number): void {
    const needed = this.outLen + n
    if (needed <= this.out.length) return
    let size = this.out.length * 2
    if (size < needed) size = needed
    if (size > this.maxOutput) size = this.maxOutput
    const grown = new Uint8Array(size)
    grown.set(this.out.subarray(0, this.outLen))
    this.out = grown
  }

  /** Decode blocks until the final one ends. Returns 'end' or 'limit'; throws TRUNCATED or CorruptError. */
  run(): 'end' | 'limit' {
    for (;;) {
      const final = this.bits(1)
      const type = this.bits(2)
      let r: 'done' | 'limit'
      if (type === 0) r = this.stored()
      else if (type === 1) {
        this.fixedTables()
        r = this.codes()
      } else if (type === 2) {
        this.dynamicTables()
        r = this.codes()
      } else throw new CorruptError('invalid block type 3')
      if (r === 'limit') return 'limit'
      if (final === 1) return 'end'
    }
  }

  private stored(): 'done' | 'limit' {
    // Drop the partial byte, give whole buffered bytes back to the input.
    this.bitBuf = 0
    this.inPos -= this.bitCnt >>> 3
    this.bitCnt = 0
    const input = this.input
    if (input.length - this.inPos < 4) {
      this.inPos = input.length
      throw TRUNCATED
    }
    const p = this.inPos
    const len = input[p]! | (input[p + 1]! << 8)
    const nlen = input[p + 2]! | (input[p + 3]! << 8)
    this.inPos += 4
    if (len !== (~nlen & 0xffff)) throw new CorruptError('stored block length mismatch')
    const avail = Math.min(len, input.length - this.inPos)
    const room = this.maxOutput - this.outLen
    const n = Math.min(avail, room)
    this.ensure(n)
    this.out.set(input.subarray(this.inPos, this.inPos + n), this.outLen)
    this.outLen += n
    this.inPos += n
    if (n < len && n === room) return 'limit'
    if (avail < len) throw TRUNCATED
    return 'done'
  }

  private fixedTables(): void {
    const lens = this.lens
    let i = 0
    for (; i < 144; i++) lens[i] = 8
    for (; i < 256; i++) lens[i] = 9
    for (; i < 280; i++) lens[i] = 7
    for (; i < 288; i++) lens[i] = 8
    this.lit.build(lens, 288)
    const d = this.lens.subarray(288)
    d.fill(5, 0, 32)
    this.dist.build(d, 32)
  }

  private dynamicTables(): void {
    const nlit = this.bits(5) + 257
    const ndist = this.bits(5) + 1
    const nclen = this.bits(4) + 4
    if (nlit > 286) throw new CorruptError(`too many literal/length codes: ${nlit}`)
    if (ndist > 30) throw new CorruptError(`too many distance codes: ${ndist}`)
    const clens = new Uint8Array(19)
    for (let i = 0; i < nclen; i++) clens[CODELEN_ORDER[i]!] = this.bits(3)
    const clTable = this.codeLen
    if (!clTable.build(clens, 19)) throw new CorruptError('invalid code-length code')
    const lens = this.lens
    lens.fill(0)
    const total = nlit + ndist
    let i = 0
    while (i < total) {
      const sym = this.decodeSym(clTable)
      if (sym < 16) {
        lens[i++] = sym
        continue
      }
      let rep: number
      let val = 0
      if (sym === 16) {
        if (i === 0) throw new CorruptError('repeat with no previous length')
        val = lens[i - 1]!
        rep = 3 + this.bits(2)
      } else if (sym === 17) rep = 3 + this.bits(3)
      else rep = 11 + this.bits(7)
      if (i + rep > total) throw new CorruptError('code lengths overflow')
      for (let k = 0; k < rep; k++) lens[i++] = val
    }
    if (!this.lit.build(lens, nlit)) throw new CorruptError('invalid literal/length code')
    if (!this.dist.build(lens.subarray(nlit), ndist)) throw new CorruptError('invalid distance code')
  }

  private codes(): 'done' | 'limit' {
    const maxOutput = this.maxOutput
    for (;;) {
      const sym = this.decodeSym(this.lit)
      if (sym < 256) {
        if (this.outLen >= maxOutput) return 'limit'
        if (this.outLen >= this.out.length) this.ensure(1)
        this.out[this.outLen++] = sym
        continue
      }
      if (sym === 256) return 'done'
      const li = sym - 257
      if (li >= 29) throw new CorruptError(`invalid literal/length symbol ${sym}`)
      const length = LEN_BASE[li]! + this.bits(LEN_EXTRA[li]!)
      const dsym = this.decodeSym(this.dist)
      if (dsym >= 30) throw new CorruptError(`invalid distance symbol ${dsym}`)
      const distance = DIST_BASE[dsym]! + this.bits(DIST_EXTRA[dsym]!)
      const hist = this.outLen < WINDOW ? this.outLen : WINDOW
      if (distance > hist) throw new CorruptError(`distance ${distance} too far back`)
      const room = maxOutput - this.outLen
      const n = length < room ? length : room
      this.ensure(n)
      const out = this.out
      let dst = this.outLen
      let src = dst - distance
      if (distance >= n) {
        out.copyWithin(dst, src, src + n)
      } else {
        for (let k = 0; k < n; k++) out[dst++] = out[src++]!
      }
      this.outLen += n
      if (n < length) return 'limit'
    }
  }
}

/**
 * Inflate a raw DEFLATE stream, producing at most `maxOutput` bytes. Never throws for bad input: the result
 * carries everything decoded before the stream ended, broke, or hit the limit.
 */
export function inflateRaw(input: Uint8Array, maxOutput: number): InflateResult {
  const inf = new Inflater(input, maxOutput)
  let status: InflateStatus
  let error: string | undefined
  try {
    status = inf.run()
  } catch (e) {
    if (e === TRUNCATED) status = 'truncated'
    else if (e instanceof CorruptError) {
      status = 'error'
      error = e.message
    } else throw e
  }
  const output = inf.out.length === inf.outLen ? inf.out : inf.out.subarray(0, inf.outLen)
  return error === undefined ? { output, status } : { output, status, error }
}
