import { PayloadError } from './errors.ts'

// EigenDA payload encoding version 0 (eigenda.md §3.1, §3.3): payload <-> encoded payload.
//   header (32 bytes) = 0x00, 0x00 (version), len_be32(payload) in bytes 2..5, then 26 zero bytes
//   body              = the payload right-padded to a multiple of 31 bytes, each 31-byte chunk prefixed by 0x00
//   the whole is zero-filled to a power-of-two number of 32-byte symbols.
// Every 32-byte symbol then starts with 0x00, so it is a canonical BN254 field element.
// This is the data before the IFFT to a blob (proxy PolynomialFormEval); no polynomial work happens here.

export const BYTES_PER_SYMBOL = 32
/** payload bytes per symbol (the first byte of each symbol is 0x00) */
export const BYTES_PER_CHUNK = 31
export const PAYLOAD_ENCODING_VERSION_0 = 0x00
const MAX_U32 = 0xffff_ffff

function nextPow2(n: number): number {
  let p = 1
  while (p < n) p *= 2
  return p
}

function isPow2(n: number): boolean {
  return n > 0 && (n & (n - 1)) === 0
}

/** Number of 32-byte symbols in the encoded form of a payload of `len` bytes. */
export function encodedPayloadSymbols(len: number): number {
  return nextPow2(1 + Math.ceil(len / BYTES_PER_CHUNK))
}

export function encodePayload(data: Uint8Array): Uint8Array {
  if (data.length > MAX_U32) {
    throw new PayloadError('PAYLOAD_TOO_LARGE', `payload of ${data.length} bytes does not fit a 32-bit length`)
  }
  const out = new Uint8Array(encodedPayloadSymbols(data.length) * BYTES_PER_SYMBOL)
  out[1] = PAYLOAD_ENCODING_VERSION_0
  new DataView(out.buffer).setUint32(2, data.length, false)
  for (let src = 0, dst = BYTES_PER_SYMBOL + 1; src < data.length; src += BYTES_PER_CHUNK, dst += BYTES_PER_SYMBOL) {
    out.set(data.subarray(src, Math.min(src + BYTES_PER_CHUNK, data.length)), dst)
  }
  return out
}

/** Decodes an encoded payload, applying every check of eigenda.md §3.3. Throws PayloadError. */
export function decodePayload(encoded: Uint8Array): Uint8Array {
  const symbols = encoded.length / BYTES_PER_SYMBOL
  if (encoded.length < BYTES_PER_SYMBOL || !Number.isInteger(symbols) || !isPow2(symbols)) {
    throw new PayloadError(
      'PAYLOAD_BAD_ENCODED_LENGTH',
      `encoded payload length ${encoded.length} is not a power-of-two number (>= 1) of 32-byte symbols`,
      { length: encoded.length },
    )
  }
  if (encoded[0] !== 0x00) {
    throw new PayloadError('PAYLOAD_BAD_HEADER_PREFIX', `encoded payload header byte 0 is 0x${hex2(encoded[0]!)}`)
  }
  if (encoded[1] !== PAYLOAD_ENCODING_VERSION_0) {
    throw new PayloadError('PAYLOAD_UNKNOWN_VERSION', `unknown encoded payload header version ${encoded[1]}`, {
      version: encoded[1],
    })
  }
  const length = new DataView(encoded.buffer, encoded.byteOffset, encoded.byteLength).getUint32(2, false)
  for (let i = 6; i < BYTES_PER_SYMBOL; i++) {
    if (encoded[i] !== 0) {
      throw new PayloadError('PAYLOAD_HEADER_PADDING_NONZERO', `encoded payload header byte ${i} is not zero`, {
        index: i,
      })
    }
  }
  const bodySymbols = symbols - 1
  for (let s = 1; s < symbols; s++) {
    if (encoded[s * BYTES_PER_SYMBOL] !== 0) {
      throw new PayloadError('PAYLOAD_SYMBOL_PREFIX_NONZERO', `symbol ${s} does not start with 0x00`, { symbol: s })
    }
  }
  const capacity = bodySymbols * BYTES_PER_CHUNK
  if (length > capacity) {
    throw new PayloadError(
      'PAYLOAD_LENGTH_EXCEEDS_DATA',
      `header length ${length} exceeds the ${capacity} payload bytes the body holds`,
      { length, capacity },
    )
  }
  const out = new Uint8Array(length)
  for (let s = 0; s < bodySymbols; s++) {
    const chunkStart = s * BYTES_PER_CHUNK
    const src = (s + 1) * BYTES_PER_SYMBOL + 1
    if (chunkStart + BYTES_PER_CHUNK <= length) {
      out.set(encoded.subarray(src, src + BYTES_PER_CHUNK), chunkStart)
      continue
    }
    const keep = Math.max(0, length - chunkStart)
    if (keep > 0) out.set(encoded.subarray(src, src + keep), chunkStart)
    for (let i = keep; i < BYTES_PER_CHUNK; i++) {
      if (encoded[src + i] !== 0) {
        throw new PayloadError(
          'PAYLOAD_PADDING_NONZERO',
          `byte ${chunkStart + i} after the payload length is not zero`,
          {
            offset: chunkStart + i,
            length,
          },
        )
      }
    }
  }
  return out
}

function hex2(b: number): string {
  return b.toString(16).padStart(2, '0')
}
