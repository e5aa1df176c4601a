import { brotliCompressSync, brotliDecompressSync, constants, deflateSync, inflateRawSync } from 'node:zlib'
import { ChannelCompressionError } from './batchErrors.ts'
import { inflateRaw } from './inflate.ts'

// Channel compression (spec §4.3). The first byte of the channel picks the algorithm:
//   c & 0x0F == 8 or 15  -> zlib (RFC 1950)
//   c == 0x01 (Fjord+)   -> brotli over data[1:]
// Decompression is capped at MAX_RLP_BYTES_PER_CHANNEL: op-node reads the decompressed stream through an RLP
// reader limited to that many bytes, so nothing past it matters. Streams do not have to be terminated: op-batcher
// output can end on a sync flush with no final block and no Adler-32, and whatever was decoded is used.

export const MAX_RLP_BYTES_PER_CHANNEL_BEDROCK = 10_000_000
export const MAX_RLP_BYTES_PER_CHANNEL_FJORD = 100_000_000
export const CHANNEL_VERSION_BROTLI = 0x01
const ZLIB_CM8 = 8
const ZLIB_CM15 = 15

export function maxRlpBytesPerChannel(isFjord: boolean): number {
  return isFjord ? MAX_RLP_BYTES_PER_CHANNEL_FJORD : MAX_RLP_BYTES_PER_CHANNEL_BEDROCK
}

export type CompressionAlgo = 'zlib' | 'brotli'

/** Pick the algorithm from the first channel byte; throws ChannelCompressionError for anything else. */
export function detectCompression(data: Uint8Array, isFjord: boolean): CompressionAlgo {
  if (data.length === 0) throw new ChannelCompressionError('empty')
  const c = data[0]!
  const cm = c & 0x0f
  if (cm === ZLIB_CM8 || cm === ZLIB_CM15) return 'zlib'
  if (c === CHANNEL_VERSION_BROTLI) {
    if (!isFjord) throw new ChannelCompressionError('brotli-before-fjord')
    return 'brotli'
  }
  throw new ChannelCompressionError('unknown-algorithm', `first byte 0x${c.toString(16).padStart(2, '0')}`)
}

export interface DecompressedChannel {
  algo: CompressionAlgo
  /** The decompressed bytes, at most `maxBytes` long. */
  data: Uint8Array
  /** True when output was cut at `maxBytes` (more data may follow in the stream). */
  atLimit: boolean
  /** Set when the stream is corrupt; `data` then holds what was decoded before the corruption. */
  error?: string
}

export interface DecompressOptions {
  /** Fjord active at the L1 inclusion block: enables brotli and the 100 MB limit. */
  isFjord: boolean
  /** Override the output cap (defaults to MAX_RLP_BYTES_PER_CHANNEL for the fork). */
  maxBytes?: number
}

/**
 * Decompress a whole channel (concatenated frame data). Throws ChannelCompressionError only when the channel
 * cannot be read at all (unknown algorithm, brotli before Fjord, bad zlib header); a corrupt or truncated body
 * yields whatever was decoded before it, as op-node's lazy reader would see.
 */
export function decompressChannel(data: Uint8Array, opts: DecompressOptions): DecompressedChannel {
  const maxBytes = opts.maxBytes ?? maxRlpBytesPerChannel(opts.isFjord)
  const algo = detectCompression(data, opts.isFjord)
  if (algo === 'zlib') return decompressZlib(data, maxBytes)
  return decompressBrotli(data.subarray(1), maxBytes)
}

/** Validate a zlib header like Go's zlib.NewReader and return the raw DEFLATE body. */
export function zlibBody(data: Uint8Array): Uint8Array {
  if (data.length < 2) throw new ChannelCompressionError('zlib-header', 'truncated header')
  const cmf = data[0]!
  const flg = data[1]!
  if ((cmf & 0x0f) !== ZLIB_CM8 || cmf >> 4 > 7 || ((cmf << 8) | flg) % 31 !== 0) {
    throw new ChannelCompressionError('zlib-header', `CMF 0x${cmf.toString(16)} FLG 0x${flg.toString(16)}`)
  }
  if ((flg & 0x20) !== 0) throw new ChannelCompressionError('zlib-dictionary')
  return data.subarray(2)
}

function toU8(b: Buffer): Uint8Array {
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength)
}

function decompressZlib(data: Uint8Array, maxBytes: number): DecompressedChannel {
  const body = zlibBody(data)
  // Fast path: native inflate. A raw inflate ignores the Adler-32 (Go only checks it after delivering all the
  // data), the sync-flush finish tolerates unterminated streams, and trailing bytes after the final block are
  // ignored. It throws on corrupt data and when the output would exceed maxBytes, losing the partial output,
  // so those cases are redone by the exact decoder.
  try {
    const out = inflateRawSync(body, { finishFlush: constants.Z_SYNC_FLUSH, maxOutputLength: Math.max(1, maxBytes) })
    if (out.length <= maxBytes) return { algo: 'zlib', data: toU8(out), atLimit: out.length === maxBytes }
  } catch {
    // fall through to the exact decoder
  }
  const r = inflateRaw(body, maxBytes)
  const res: DecompressedChannel = { algo: 'zlib', data: r.output, atLimit: r.status === 'limit' }
  if (r.status === 'error') res.error = r.error
  return res
}

const BROTLI_OPTS = { finishFlush: constants.BROTLI_OPERATION_FLUSH }

function tryBrotli(body: Uint8Array, maxOutputLength: number): Buffer | undefined {
  try {
    return brotliDecompressSync(body, { ...BROTLI_OPTS, maxOutputLength: Math.max(1, maxOutputLength) })
  } catch {
    return undefined
  }
}

function decompressBrotli(body: Uint8Array, maxBytes: number): DecompressedChannel {
  let err: unknown
  try {
    const out = brotliDecompressSync(body, { ...BROTLI_OPTS, maxOutputLength: Math.max(1, maxBytes) })
    if (out.length <= maxBytes) return { algo: 'brotli', data: toU8(out), atLimit: out.length === maxBytes }
  } catch (e) {
    err = e
  }
  // Slow path for corrupt or over-limit streams: the longest input prefix that still decodes within the cap.
  // Brotli output of an input prefix is a prefix of the full output, so this recovers what a lazy reader sees
  // up to the last byte boundary before the failure.
  let lo = 0
  let hi = body.length
  while (hi - lo > 1) {
    const mid = lo + Math.floor((hi - lo) / 2)
    if (tryBrotli(body.subarray(0, mid), maxBytes) !== undefined) lo = mid
    else hi = mid
  }
  let out = tryBrotli(body.subarray(0, lo), maxBytes) ?? Buffer.alloc(0)
  const tooLarge = (err as { code?: string } | undefined)?.code === 'ERR_BUFFER_TOO_LARGE'
  if (tooLarge || out.length < maxBytes) {
    // The next input byte may complete output beyond the cap: take its first maxBytes bytes
    // (one input byte can finish at most a couple of 16 MiB meta-blocks).
    const more = tryBrotli(body.subarray(0, hi), maxBytes + 2 * 16 * 1024 * 1024)
    if (more !== undefined && more.length > maxBytes) out = more.subarray(0, maxBytes)
  }
  if (out.length > maxBytes) out = out.subarray(0, maxBytes)
  const res: DecompressedChannel = { algo: 'brotli', data: toU8(out), atLimit: out.length >= maxBytes }
  if (!tooLarge && out.length < maxBytes) res.error = err instanceof Error ? err.message : 'corrupt brotli stream'
  return res
}

// ---------------------------------------------------------------------------------------------------------------
// Compression (batcher side)

/** A complete zlib stream (op-batcher uses zlib.BestCompression = 9). */
export function compressZlib(data: Uint8Array, level = 9): Uint8Array {
  return toU8(deflateSync(data, { level }))
}

/** `0x01 ++ brotli(data)`: a Fjord brotli channel. op-batcher's default level is 10; window 2^22 like Go's. */
export function compressBrotli(data: Uint8Array, quality = 10, lgwin = 22): Uint8Array {
  const body = brotliCompressSync(data, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: quality,
      [constants.BROTLI_PARAM_LGWIN]: lgwin,
      [constants.BROTLI_PARAM_SIZE_HINT]: data.length,
    },
  })
  const out = new Uint8Array(body.length + 1)
  out[0] = CHANNEL_VERSION_BROTLI
  out.set(body, 1)
  return out
}

export function compressChannel(data: Uint8Array, algo: CompressionAlgo): Uint8Array {
  return algo === 'zlib' ? compressZlib(data) : compressBrotli(data)
}
