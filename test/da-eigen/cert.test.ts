import { RLP } from '@ethereumjs/rlp'
import { describe, expect, it } from 'vitest'
import { bytesEqual, bytesToHex, concatBytes, hexToBytes } from '../../config/bytes.ts'
import {
  CertError,
  type CertErrorCode,
  certBlobLengthSymbols,
  certReferenceBlockNumber,
  decodeCert,
  type EigenDACert,
  type EigenDACertV1,
  type EigenDACertV3,
  type EigenDACertV4,
  encodeCert,
} from '../../da-eigen/index.ts'
import { certToVectorShape, fixtureBytes, v2Vectors, v3Vectors } from './fixtures.ts'

type Tree = Uint8Array | Tree[]

function expectCertError(fn: () => unknown, code: CertErrorCode): CertError {
  try {
    fn()
  } catch (err) {
    expect(err).toBeInstanceOf(CertError)
    expect((err as CertError).code).toBe(code)
    return err as CertError
  }
  throw new Error(`expected CertError ${code}, nothing was thrown`)
}

// the RLP cert bytes of each real vector, with the version byte they are carried under
const v3Certs = v3Vectors().map((v) => ({ v, rlp: hexToBytes(v.altda_commitment).subarray(3) }))
const v2Legacy = v2Vectors()[0]!
const v2LegacyRlp = hexToBytes(v2Legacy.batcher_inbox_calldata!).subarray(4)
const v2Bin = v2Vectors()[1]!
const v2BinRlp = fixtureBytes('v2_cert_rlp.bin')

const tree = (rlp: Uint8Array): Tree[] => RLP.decode(rlp) as Tree[]
const enc = (t: Tree): Uint8Array => RLP.encode(t)

describe('real V3 certs (version byte 0x02)', () => {
  it.each(v3Certs.map((c) => [c.v.name, c] as const))('%s decodes to every documented field', (_, { v, rlp }) => {
    expect(rlp.length).toBe(v.expected_commitment_parse.rlp_cert_len)
    const cert = decodeCert(0x02, rlp)
    expect(cert.versionByte).toBe(0x02)
    expect(certToVectorShape(cert)).toEqual(v.expected_cert_fields)
  })

  it.each(v3Certs.map((c) => [c.v.name, c] as const))('%s re-encodes byte for byte', (_, { rlp }) => {
    expect(bytesToHex(encodeCert(decodeCert(0x02, rlp)))).toBe(bytesToHex(rlp))
  })

  it('spot-checks fields of sepolia_v3cert_1', () => {
    const cert = decodeCert(0x02, v3Certs[0]!.rlp) as EigenDACertV3
    expect(bytesToHex(cert.batchHeader.batchRoot)).toBe(
      '0x4c617ac0dcf14f58a1d58e80c9902e2c199474989563dc59566d5bd5ad1b640a',
    )
    expect(cert.batchHeader.referenceBlockNumber).toBe(9300876)
    expect(certReferenceBlockNumber(cert)).toBe(9300876)
    const h = cert.blobInclusionInfo.blobCertificate.blobHeader
    expect(h.version).toBe(0)
    expect(bytesToHex(h.quorumNumbers)).toBe('0x0001')
    expect(h.commitment.length).toBe(8)
    expect(certBlobLengthSymbols(cert)).toBe(8)
    expect(h.commitment.commitment.x).toBe(0x2f79ec81c41b992e9dec0c96fe5d970657bd5699560b1eaca902b6d8d95b69d9n)
    expect(h.commitment.lengthCommitment.x[1]).toBe(0x1303695a7e9cba15f6ecb2e5da94826c94e557d94a491b61b42e2fb577bf5983n)
    expect(bytesToHex(h.paymentHeaderHash)).toBe('0x731bd6915a6ccea1380db7f0695ad67ee03bfbd59ac8c7976ee25f7ec9515037')
    expect(cert.blobInclusionInfo.blobCertificate.signature.length).toBe(65)
    expect(cert.blobInclusionInfo.blobCertificate.relayKeys).toEqual([0])
    expect(cert.blobInclusionInfo.blobIndex).toBe(0)
    expect(cert.blobInclusionInfo.inclusionProof.length).toBe(0)
    const n = cert.nonSignerStakesAndSignature
    expect(n.nonSignerQuorumBitmapIndices).toEqual([1, 0, 0, 0])
    expect(n.nonSignerPubkeys).toHaveLength(4)
    // a coordinate with a leading zero byte: 31 bytes on the wire
    expect(n.nonSignerPubkeys[2]!.x).toBe(0x9a9a3504786f979f4011c180069d0127599773df85c02f550c8bcd4336d150n)
    expect(n.quorumApkIndices).toEqual([7, 5])
    expect(n.totalStakeIndices).toEqual([8, 5])
    expect(n.nonSignerStakeIndices).toEqual([
      [1, 0, 0],
      [0, 0, 0, 0],
    ])
    expect(n.sigma.y).toBe(0x1a23d0ac964f04643eb3206db5a81e678fc484f362d3c7442657735e678298c3n)
    expect(bytesToHex(cert.signedQuorumNumbers)).toBe('0x0001')
  })

  it('the other V3 certs carry their documented reference block numbers', () => {
    expect(certReferenceBlockNumber(decodeCert(0x02, v3Certs[1]!.rlp))).toBe(9528135)
    expect(certReferenceBlockNumber(decodeCert(0x02, v3Certs[2]!.rlp))).toBe(9528091)
  })
})

describe('real V2 legacy certs (version byte 0x01)', () => {
  it('the calldata cert decodes to every documented field and re-encodes exactly', () => {
    expect(v2LegacyRlp.length).toBe(865)
    const cert = decodeCert(0x01, v2LegacyRlp)
    expect(cert.versionByte).toBe(0x01)
    expect(certToVectorShape(cert)).toEqual(v2Legacy.expected_cert_fields)
    expect(certReferenceBlockNumber(cert)).toBe(9080069)
    expect(certBlobLengthSymbols(cert)).toBe(8)
    // a 31-byte lengthProof Y limb
    if (cert.versionByte !== 0x01) throw new Error('unreachable')
    expect(cert.blobInclusionInfo.blobCertificate.blobHeader.commitment.lengthProof.y[1]).toBe(
      0xca145e3f25f772c7e951708a541d8d14bb923edea351eeb0bbc928ae5b7985n,
    )
    expect(bytesEqual(encodeCert(cert), v2LegacyRlp)).toBe(true)
  })

  it('v2_cert_rlp.bin (900 bytes, no prefix) decodes to every documented field and re-encodes exactly', () => {
    expect(v2BinRlp.length).toBe(v2Bin.file_len)
    const cert = decodeCert(0x01, v2BinRlp)
    expect(certToVectorShape(cert)).toEqual(v2Bin.expected_cert_fields)
    expect(certReferenceBlockNumber(cert)).toBe(8464015)
    expect(certBlobLengthSymbols(cert)).toBe(8192)
    if (cert.versionByte !== 0x01) throw new Error('unreachable')
    expect(cert.blobInclusionInfo.inclusionProof.length).toBe(32)
    expect(cert.nonSignerStakesAndSignature.quorumApkIndices).toEqual([7, 4])
    expect(bytesEqual(encodeCert(cert), v2BinRlp)).toBe(true)
  })

  it('the legacy field order differs from V3: a V2 cert is not a V3 cert and vice versa', () => {
    // blobInclusionInfo (3 fields) where V3 has batchHeader (2 fields)
    expectCertError(() => decodeCert(0x02, v2BinRlp), 'CERT_WRONG_ARITY')
    expectCertError(() => decodeCert(0x01, v3Certs[0]!.rlp), 'CERT_WRONG_ARITY')
  })
})

describe('V4 certs (version byte 0x03)', () => {
  const v3 = decodeCert(0x02, v3Certs[0]!.rlp) as EigenDACertV3
  const v4: EigenDACertV4 = { ...v3, versionByte: 0x03, offchainDerivationVersion: 0 }

  it('is V3 plus offchainDerivationVersion as a 5th field, and round-trips', () => {
    for (const version of [0, 1, 0x1234, 0xffff]) {
      const cert: EigenDACertV4 = { ...v4, offchainDerivationVersion: version }
      const rlp = encodeCert(cert)
      const t = tree(rlp)
      expect(t).toHaveLength(5)
      expect(enc(t.slice(0, 4))).toEqual(v3Certs[0]!.rlp)
      const back = decodeCert(0x03, rlp)
      expect(back).toEqual(cert)
      expect(encodeCert(back)).toEqual(rlp)
    }
  })

  it('a V3 cert is not a V4 cert and vice versa', () => {
    expectCertError(() => decodeCert(0x03, v3Certs[0]!.rlp), 'CERT_WRONG_ARITY')
    expectCertError(() => decodeCert(0x02, encodeCert(v4)), 'CERT_WRONG_ARITY')
  })

  it('offchainDerivationVersion is a uint16', () => {
    const t = tree(encodeCert(v4))
    t[4] = Uint8Array.of(1, 0, 0)
    expectCertError(() => decodeCert(0x03, enc(t)), 'CERT_INT_OVERFLOW')
  })
})

describe('V1 certs (version byte 0x00)', () => {
  const cert: EigenDACertV1 = {
    versionByte: 0x00,
    blobHeader: {
      commitment: { x: new Uint8Array(32).fill(0x0d), y: new Uint8Array(32).fill(0x01) },
      dataLength: 512,
      blobQuorumParams: [
        { quorumNumber: 0, adversaryThresholdPercentage: 33, confirmationThresholdPercentage: 55, chunkLength: 1 },
        { quorumNumber: 1, adversaryThresholdPercentage: 33, confirmationThresholdPercentage: 55, chunkLength: 16 },
      ],
    },
    blobVerificationProof: {
      batchId: 84142,
      blobIndex: 165,
      batchMetadata: {
        batchHeader: {
          batchRoot: new Uint8Array(32).fill(0xaa),
          quorumNumbers: Uint8Array.of(0, 1),
          quorumSignedPercentages: Uint8Array.of(0x5f, 0x5c),
          referenceBlockNumber: 2783691,
        },
        signatoryRecordHash: new Uint8Array(32).fill(0xbb),
        fee: Uint8Array.of(0),
        confirmationBlockNumber: 2783776,
        batchHeaderHash: new Uint8Array(32).fill(0xcc),
      },
      inclusionProof: new Uint8Array(256).fill(0x11),
      quorumIndexes: Uint8Array.of(0, 1),
    },
  }

  it('encodes to the documented list layout and round-trips', () => {
    const rlp = encodeCert(cert)
    const t = tree(rlp) as [Tree[], Tree[]]
    expect(t).toHaveLength(2)
    const [header, proof] = t
    expect(header).toHaveLength(3)
    expect((header[0] as Tree[])[0]).toEqual(cert.blobHeader.commitment.x)
    expect(header[1]).toEqual(Uint8Array.of(0x02, 0x00)) // dataLength 512
    expect(header[2]).toEqual([
      [new Uint8Array(0), Uint8Array.of(33), Uint8Array.of(55), Uint8Array.of(1)],
      [Uint8Array.of(1), Uint8Array.of(33), Uint8Array.of(55), Uint8Array.of(16)],
    ])
    expect(proof).toHaveLength(5)
    expect((proof[2] as Tree[])[0]).toHaveLength(4)
    const back = decodeCert(0x00, rlp)
    expect(back).toEqual(cert)
    expect(encodeCert(back)).toEqual(rlp)
    expect(certReferenceBlockNumber(back)).toBe(2783691)
    expect(certBlobLengthSymbols(back)).toBe(512)
  })

  it('rejects commitment coordinates that are not 32 bytes', () => {
    const t = tree(encodeCert(cert)) as Tree[][]
    ;(t[0]![0] as Tree[])[0] = new Uint8Array(31).fill(0x0d)
    const err = expectCertError(() => decodeCert(0x00, enc(t)), 'CERT_BAD_FIELD_LENGTH')
    expect(err.meta.path).toBe('blobHeader.commitment.X')
  })
})

describe('cert decode errors', () => {
  const rlp = v3Certs[0]!.rlp
  const mutate = (f: (t: Tree[]) => void): Uint8Array => {
    const t = tree(rlp)
    f(t)
    return enc(t)
  }
  const at = (t: Tree, ...path: number[]): Tree[] => {
    let n = t
    for (const i of path) n = (n as Tree[])[i]!
    return n as Tree[]
  }

  it('rejects an unknown version byte', () => {
    expectCertError(() => decodeCert(0x04, rlp), 'CERT_UNSUPPORTED_VERSION')
  })

  it('reports truncated RLP, at every cut point', () => {
    expectCertError(() => decodeCert(0x02, new Uint8Array(0)), 'CERT_RLP_TRUNCATED')
    expectCertError(() => decodeCert(0x02, Uint8Array.of(0xf9)), 'CERT_RLP_TRUNCATED')
    for (let cut = 1; cut < rlp.length; cut += 37) {
      expectCertError(() => decodeCert(0x02, rlp.subarray(0, cut)), 'CERT_RLP_TRUNCATED')
    }
    expectCertError(() => decodeCert(0x02, rlp.subarray(0, rlp.length - 1)), 'CERT_RLP_TRUNCATED')
  })

  it('reports trailing bytes', () => {
    expectCertError(() => decodeCert(0x02, concatBytes(rlp, Uint8Array.of(0x80))), 'CERT_RLP_TRAILING_BYTES')
  })

  it('reports an item that overruns its enclosing list', () => {
    // list of 2 bytes holding a string that claims 3
    expectCertError(() => decodeCert(0x02, Uint8Array.of(0xc2, 0x83, 0x01, 0x02, 0x03)), 'CERT_RLP_MALFORMED')
  })

  it('reports non-canonical RLP sizes', () => {
    // single byte 0x05 written as 0x81 0x05
    expectCertError(() => decodeCert(0x02, Uint8Array.of(0xc2, 0x81, 0x05)), 'CERT_RLP_NON_CANONICAL')
    // a 2-byte string in long form
    expectCertError(() => decodeCert(0x02, Uint8Array.of(0xb8, 0x02, 0x80, 0x80)), 'CERT_RLP_NON_CANONICAL')
    // a long size with a leading zero
    expectCertError(
      () => decodeCert(0x02, Uint8Array.of(0xb9, 0x00, 0x38, ...new Uint8Array(56))),
      'CERT_RLP_NON_CANONICAL',
    )
  })

  it('reports a wrong number of fields', () => {
    let err = expectCertError(
      () =>
        decodeCert(
          0x02,
          mutate((t) => t.pop()),
        ),
      'CERT_WRONG_ARITY',
    )
    expect(err.meta).toMatchObject({ path: 'cert', expected: 4, actual: 3 })
    err = expectCertError(
      () =>
        decodeCert(
          0x02,
          mutate((t) => at(t, 0).push(new Uint8Array(0))),
        ),
      'CERT_WRONG_ARITY',
    )
    expect(err.meta.path).toBe('batchHeader')
    err = expectCertError(
      () =>
        decodeCert(
          0x02,
          mutate((t) => at(t, 2).pop()),
        ),
      'CERT_WRONG_ARITY',
    )
    expect(err.meta.path).toBe('nonSignerStakesAndSignature')
    // a G1 point with 3 coordinates
    err = expectCertError(
      () =>
        decodeCert(
          0x02,
          mutate((t) => at(t, 2, 4).push(Uint8Array.of(1))),
        ),
      'CERT_WRONG_ARITY',
    )
    expect(err.meta.path).toBe('nonSignerStakesAndSignature.sigma')
  })

  it('reports a list where a string belongs and vice versa', () => {
    let err = expectCertError(
      () =>
        decodeCert(
          0x02,
          mutate((t) => (t[3] = [])),
        ),
      'CERT_WRONG_ITEM_KIND',
    )
    expect(err.meta.path).toBe('signedQuorumNumbers')
    err = expectCertError(
      () =>
        decodeCert(
          0x02,
          mutate((t) => (t[0] = Uint8Array.of(1))),
        ),
      'CERT_WRONG_ITEM_KIND',
    )
    expect(err.meta.path).toBe('batchHeader')
    expectCertError(() => decodeCert(0x02, Uint8Array.of(0x80)), 'CERT_WRONG_ITEM_KIND')
  })

  it('reports bytes32 fields of the wrong length', () => {
    let err = expectCertError(
      () =>
        decodeCert(
          0x02,
          mutate((t) => (at(t, 0)[0] = new Uint8Array(31))),
        ),
      'CERT_BAD_FIELD_LENGTH',
    )
    expect(err.meta).toMatchObject({ path: 'batchHeader.batchRoot', expected: 32, actual: 31 })
    err = expectCertError(
      () =>
        decodeCert(
          0x02,
          mutate((t) => (at(t, 1, 0, 0)[3] = new Uint8Array(33))),
        ),
      'CERT_BAD_FIELD_LENGTH',
    )
    expect(err.meta.path).toBe('blobInclusionInfo.blobCertificate.blobHeader.paymentHeaderHash')
  })

  it('rejects integers with a leading zero byte', () => {
    const err = expectCertError(
      () =>
        decodeCert(
          0x02,
          mutate((t) => (at(t, 0)[1] = Uint8Array.of(0x00, 0x8d, 0xeb, 0x8c))),
        ),
      'CERT_NON_CANONICAL_INT',
    )
    expect(err.meta.path).toBe('batchHeader.referenceBlockNumber')
    // zero written as 0x00 instead of the empty string
    expectCertError(
      () =>
        decodeCert(
          0x02,
          mutate((t) => (at(t, 1)[1] = Uint8Array.of(0))),
        ),
      'CERT_NON_CANONICAL_INT',
    )
    // a coordinate with a leading zero (the vectors write these as 31 bytes)
    expectCertError(
      () =>
        decodeCert(
          0x02,
          mutate((t) => (at(t, 2, 4)[0] = concatBytes(Uint8Array.of(0), at(t, 2, 4)[0] as Uint8Array))),
        ),
      'CERT_NON_CANONICAL_INT',
    )
  })

  it('rejects integers wider than their type', () => {
    let err = expectCertError(
      () =>
        decodeCert(
          0x02,
          mutate((t) => (at(t, 0)[1] = Uint8Array.of(1, 0, 0, 0, 0))),
        ),
      'CERT_INT_OVERFLOW',
    )
    expect(err.meta.path).toBe('batchHeader.referenceBlockNumber')
    err = expectCertError(
      () =>
        decodeCert(
          0x02,
          mutate((t) => (at(t, 1, 0, 0)[0] = Uint8Array.of(1, 0, 0))),
        ),
      'CERT_INT_OVERFLOW',
    )
    expect(err.meta.path).toBe('blobInclusionInfo.blobCertificate.blobHeader.version')
    err = expectCertError(
      () =>
        decodeCert(
          0x02,
          mutate((t) => (at(t, 2, 4)[1] = new Uint8Array(33).fill(1))),
        ),
      'CERT_INT_OVERFLOW',
    )
    expect(err.meta.path).toBe('nonSignerStakesAndSignature.sigma.Y')
    err = expectCertError(
      () =>
        decodeCert(
          0x02,
          mutate((t) => (at(t, 2, 7, 0)[0] = Uint8Array.of(1, 2, 3, 4, 5))),
        ),
      'CERT_INT_OVERFLOW',
    )
    expect(err.meta.path).toBe('nonSignerStakesAndSignature.nonSignerStakeIndices[0][0]')
  })

  it('the mutation helper itself leaves an unmodified cert valid', () => {
    const cert: EigenDACert = decodeCert(
      0x02,
      mutate(() => {}),
    )
    expect(encodeCert(cert)).toEqual(rlp)
  })
})
