import { NodeError } from '../../config/errors.ts'

// OP blob codec, version 0 (spec §4.5; specs ecotone/derivation.md "Blob Encoding"; op-service/eth/blob.go).
// A blob is 4096 field elements × 32 bytes. Each round of 4 field elements carries 127 bytes: 4×31 low bytes
// plus 4×6 bits in the top bytes. The data stream is `0x00 ++ be24(len) ++ data`, so MaxBlobDataSize = 130044.
//
// Decoding matches op-node and kona, including one deviation from the prose spec: the top byte of field element 0
// is masked, not checked (both reference decoders copy blob[0] unchecked), so blob[0] with a top bit set does not
// make the blob invalid. Every other field element's top two bits must be 0.

export const BLOB_SIZE = 131072
export const FIELD_ELEMENTS_PER_BLOB = 4096
export const BLOB_ENCODING_VERSION = 0
export const BLOB_ROUNDS = 1024
export const MAX_BLOB_DATA_SIZE = (4 * 31 + 3) * 1024 - 4 // 130044

/** Error names from op-service/eth/blob.go, plus BlobInvalidSize for an input that is not 131072 bytes. */
export type BlobErrorName =
  | 'ErrBlobInvalidFieldElement'
  | 'ErrBlobInvalidEncodingVersion'
  | 'ErrBlobInvalidLength'
  | 'ErrBlobInputTooLarge'
  | 'ErrBlobExtraneousData'
  | 'ErrBlobExtraneousDataFieldElement'
  | 'BlobInvalidSize'

export type BlobErrorCode =
  | 'BLOB_INVALID_FIELD_ELEMENT'
  | 'BLOB_INVALID_ENCODING_VERSION'
  | 'BLOB_INVALID_LENGTH'
  | 'BLOB_INPUT_TOO_LARGE'
  | 'BLOB_EXTRANEOUS_DATA'
  | 'BLOB_EXTRANEOUS_DATA_FIELD_ELEMENT'
  | 'BLOB_INVALID_SIZE'

export abstract class BlobError extends NodeError<BlobErrorCode> {
  /** The matching op-service/eth/blob.go error variable. */
  abstract readonly refName: BlobErrorName
}

/** A field element (other than the first) has one of its two top bits set. */
export class BlobInvalidFieldElementError extends BlobError {
  readonly refName = 'ErrBlobInvalidFieldElement' as const
  readonly position: number
  constructor(position: number) {
    super('BLOB_INVALID_FIELD_ELEMENT', `invalid field element at blob offset ${position}`, { position })
    this.position = position
  }
}

/** Blob byte 1 (the encoding version) is not 0. */
export class BlobInvalidEncodingVersionError extends BlobError {
  readonly refName = 'ErrBlobInvalidEncodingVersion' as const
  readonly version: number
  constructor(version: number) {
    super('BLOB_INVALID_ENCODING_VERSION', `invalid blob encoding version ${version}`, { version })
    this.version = version
  }
}

/** The u24 length is larger than MAX_BLOB_DATA_SIZE. */
export class BlobInvalidLengthError extends BlobError {
  readonly refName = 'ErrBlobInvalidLength' as const
  readonly length: number
  constructor(length: number) {
    super('BLOB_INVALID_LENGTH', `invalid blob data length ${length} > ${MAX_BLOB_DATA_SIZE}`, { length })
    this.length = length
  }
}

/** Encoder input longer than MAX_BLOB_DATA_SIZE. */
export class BlobInputTooLargeError extends BlobError {
  readonly refName = 'ErrBlobInputTooLarge' as const
  readonly length: number
  constructor(length: number) {
    super('BLOB_INPUT_TOO_LARGE', `too much data to encode in one blob: ${length} > ${MAX_BLOB_DATA_SIZE}`, { length })
    this.length = length
  }
}

/** A non-zero blob byte after the last field element the decoder consumed. */
export class BlobExtraneousDataError extends BlobError {
  readonly refName = 'ErrBlobExtraneousData' as const
  readonly position: number
  constructor(position: number) {
    super('BLOB_EXTRANEOUS_DATA', `non-zero blob byte at offset ${position} past the encoded data`, { position })
    this.position = position
  }
}

/** A non-zero decoded byte past `len` within the decoded rounds. */
export class BlobExtraneousDataFieldElementError extends BlobError {
  readonly refName = 'ErrBlobExtraneousDataFieldElement' as const
  readonly position: number
  constructor(position: number) {
    super(
      'BLOB_EXTRANEOUS_DATA_FIELD_ELEMENT',
      `non-zero decoded byte at output offset ${position} past the data length`,
      { position },
    )
    this.position = position
  }
}

/** The blob is not exactly BLOB_SIZE bytes. */
export class BlobInvalidSizeError extends BlobError {
  readonly refName = 'BlobInvalidSize' as const
  readonly size: number
  constructor(size: number) {
    super('BLOB_INVALID_SIZE', `blob must be ${BLOB_SIZE} bytes, got ${size}`, { size })
    this.size = size
  }
}

/** Encode up to MAX_BLOB_DATA_SIZE bytes into a 131072-byte blob (op-service Blob.FromData). */
export function encodeBlob(data: Uint8Array): Uint8Array {
  if (data.length > MAX_BLOB_DATA_SIZE) throw new BlobInputTooLargeError(data.length)
  const blob = new Uint8Array(BLOB_SIZE)
  const len = data.length
  let rd = 0 // read offset into data
  const byteAt = (i: number): number => (i < len ? data[i]! : 0)
  // Copy up to 31 data bytes to blob[dst..dst+31) (the rest stays zero).
  const copy31 = (dst: number): void => {
    if (rd < len) {
      const n = Math.min(31, len - rd)
      blob.set(data.subarray(rd, rd + n), dst)
    }
    rd += 31
  }
  for (let round = 0, w = 0; round < BLOB_ROUNDS && rd < len; round++, w += 128) {
    if (round === 0) {
      // The first 4 bytes of the stream are version ++ be24(len).
      blob[w + 1] = BLOB_ENCODING_VERSION
      blob[w + 2] = (len >>> 16) & 0xff
      blob[w + 3] = (len >>> 8) & 0xff
      blob[w + 4] = len & 0xff
      const n = Math.min(27, len)
      blob.set(data.subarray(0, n), w + 5)
      rd = 27
    } else {
      copy31(w + 1)
    }
    const x = byteAt(rd++)
    copy31(w + 33)
    const y = byteAt(rd++)
    copy31(w + 65)
    const z = byteAt(rd++)
    copy31(w + 97)
    blob[w] = x & 0x3f
    blob[w + 32] = (y & 0x0f) | ((x & 0xc0) >>> 2)
    blob[w + 64] = z & 0x3f
    blob[w + 96] = ((z & 0xc0) >>> 2) | ((y & 0xf0) >>> 4)
  }
  return blob
}

/** Decode a version-0 OP blob into its data (op-service Blob.ToData). Throws a BlobError subclass. */
export function decodeBlob(blob: Uint8Array): Uint8Array {
  if (blob.length !== BLOB_SIZE) throw new BlobInvalidSizeError(blob.length)
  if (blob[1] !== BLOB_ENCODING_VERSION) throw new BlobInvalidEncodingVersionError(blob[1]!)
  const len = (blob[2]! << 16) | (blob[3]! << 8) | blob[4]!
  if (len > MAX_BLOB_DATA_SIZE) throw new BlobInvalidLengthError(len)

  // Output buffer sized for whole rounds, so the zero check past `len` can look at every decoded byte.
  const rounds = Math.max(1, Math.ceil((len + 4) / 127))
  const out = new Uint8Array(rounds * 127)
  // Decode into a stream that still contains the 4 header bytes at 0..3, then drop them.
  for (let round = 0, r = 0, o = 0; round < rounds; round++, r += 128, o += 127) {
    const a = blob[r]! // field element 0's top byte is masked, not checked (op-node / kona behaviour)
    const b = blob[r + 32]!
    const c = blob[r + 64]!
    const d = blob[r + 96]!
    if (round > 0 && (a & 0xc0) !== 0) throw new BlobInvalidFieldElementError(r)
    if ((b & 0xc0) !== 0) throw new BlobInvalidFieldElementError(r + 32)
    if ((c & 0xc0) !== 0) throw new BlobInvalidFieldElementError(r + 64)
    if ((d & 0xc0) !== 0) throw new BlobInvalidFieldElementError(r + 96)
    out.set(blob.subarray(r + 1, r + 32), o)
    out[o + 31] = (a & 0x3f) | ((b & 0x30) << 2)
    out.set(blob.subarray(r + 33, r + 64), o + 32)
    out[o + 63] = (b & 0x0f) | ((d & 0x0f) << 4)
    out.set(blob.subarray(r + 65, r + 96), o + 64)
    out[o + 95] = (c & 0x3f) | ((d & 0x30) << 2)
    out.set(blob.subarray(r + 97, r + 128), o + 96)
  }
  const data = out.subarray(4)
  for (let i = len; i < data.length; i++) {
    if (data[i] !== 0) throw new BlobExtraneousDataFieldElementError(i)
  }
  for (let i = rounds * 128; i < BLOB_SIZE; i++) {
    if (blob[i] !== 0) throw new BlobExtraneousDataError(i)
  }
  return data.subarray(0, len)
}
