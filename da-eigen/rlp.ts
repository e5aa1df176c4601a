import { RLP } from '@ethereumjs/rlp'
import { CertError } from './errors.ts'

// A strict RLP tree decoder for certs: every malformed case gets its own CertError code (the generic decoder in
// @ethereumjs/rlp reports them all as plain Errors). Encoding uses @ethereumjs/rlp, which is canonical.

export type RlpNode = Uint8Array | RlpNode[]

export function rlpEncode(node: RlpNode): Uint8Array {
  return RLP.encode(node)
}

/** Decodes exactly one item spanning the whole input. */
export function rlpDecode(input: Uint8Array): RlpNode {
  if (input.length === 0) throw new CertError('CERT_RLP_TRUNCATED', 'empty RLP input')
  const [node, next] = decodeAt(input, 0, input.length)
  if (next !== input.length) {
    throw new CertError('CERT_RLP_TRAILING_BYTES', `${input.length - next} bytes after the RLP item`, {
      trailing: input.length - next,
    })
  }
  return node
}

function overrun(input: Uint8Array, end: number, need: number, pos: number): CertError {
  const truncated = end === input.length
  return new CertError(
    truncated ? 'CERT_RLP_TRUNCATED' : 'CERT_RLP_MALFORMED',
    truncated
      ? `RLP input too short: item at ${pos} needs up to ${need}, input ends at ${end}`
      : `RLP item at ${pos} overruns its enclosing list (needs up to ${need}, list ends at ${end})`,
    { pos, need, end },
  )
}

function readLength(input: Uint8Array, pos: number, lenOfLen: number, end: number): number {
  if (pos + 1 + lenOfLen > end) throw overrun(input, end, pos + 1 + lenOfLen, pos)
  if (input[pos + 1] === 0) throw new CertError('CERT_RLP_NON_CANONICAL', `RLP size at ${pos} has a leading zero`)
  let len = 0
  for (let i = 0; i < lenOfLen; i++) len = len * 256 + input[pos + 1 + i]!
  if (len < 56) throw new CertError('CERT_RLP_NON_CANONICAL', `RLP long size ${len} at ${pos} should be short form`)
  return len
}

function decodeAt(input: Uint8Array, pos: number, end: number): [RlpNode, number] {
  if (pos >= end) throw overrun(input, end, pos + 1, pos)
  const b = input[pos]!
  if (b < 0x80) return [input.slice(pos, pos + 1), pos + 1]
  if (b <= 0xb7) {
    const len = b - 0x80
    const stop = pos + 1 + len
    if (stop > end) throw overrun(input, end, stop, pos)
    if (len === 1 && input[pos + 1]! < 0x80) {
      throw new CertError('CERT_RLP_NON_CANONICAL', `single byte < 0x80 at ${pos} must not have a string prefix`)
    }
    return [input.slice(pos + 1, stop), stop]
  }
  if (b <= 0xbf) {
    const lenOfLen = b - 0xb7
    const len = readLength(input, pos, lenOfLen, end)
    const start = pos + 1 + lenOfLen
    if (start + len > end) throw overrun(input, end, start + len, pos)
    return [input.slice(start, start + len), start + len]
  }
  let start: number
  let len: number
  if (b <= 0xf7) {
    start = pos + 1
    len = b - 0xc0
  } else {
    const lenOfLen = b - 0xf7
    len = readLength(input, pos, lenOfLen, end)
    start = pos + 1 + lenOfLen
  }
  const stop = start + len
  if (stop > end) throw overrun(input, end, stop, pos)
  const items: RlpNode[] = []
  let p = start
  while (p < stop) {
    const [child, next] = decodeAt(input, p, stop)
    items.push(child)
    p = next
  }
  return [items, stop]
}
