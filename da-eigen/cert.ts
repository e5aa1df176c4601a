import { bigIntToMinimalBytes, bytesToBigInt } from '../config/bytes.ts'
import { CertError } from './errors.ts'
import { type RlpNode, rlpDecode, rlpEncode } from './rlp.ts'

// EigenDA certs as carried in OP alt-DA generic commitments (eigenda.md §2.3-2.4): the go-ethereum RLP of the Go
// struct, a list of its fields in declaration order. Integers are minimal big-endian (0 is the empty string;
// leading zeros are rejected, as go-ethereum does), bytes32 fields are exactly 32 bytes, slices are lists.
// Decoding a canonical cert and re-encoding it gives the same bytes.

/** Cert version byte that follows the DA-layer byte in the commitment. */
export const CERT_VERSION_V1 = 0x00
export const CERT_VERSION_V2 = 0x01
export const CERT_VERSION_V3 = 0x02
export const CERT_VERSION_V4 = 0x03
export type CertVersionByte =
  | typeof CERT_VERSION_V1
  | typeof CERT_VERSION_V2
  | typeof CERT_VERSION_V3
  | typeof CERT_VERSION_V4

export function isCertVersionByte(v: number): v is CertVersionByte {
  return v === CERT_VERSION_V1 || v === CERT_VERSION_V2 || v === CERT_VERSION_V3 || v === CERT_VERSION_V4
}

/** BN254 G1 point; coordinates are uint256 (RLP big.Int). */
export interface G1Point {
  x: bigint
  y: bigint
}

/** BN254 G2 point; each coordinate is an Fp2 element as a 2-item list, in EigenLayer `BN254.G2Point` order. */
export interface G2Point {
  x: [bigint, bigint]
  y: [bigint, bigint]
}

// ---- V2 / V3 / V4 (EigenDA V2 network) ----

export interface BatchHeaderV2 {
  batchRoot: Uint8Array // bytes32
  referenceBlockNumber: number // uint32
}

export interface BlobCommitment {
  commitment: G1Point
  lengthCommitment: G2Point
  lengthProof: G2Point
  /** blob length in 32-byte symbols (uint32) */
  length: number
}

export interface BlobHeaderV2 {
  version: number // uint16
  quorumNumbers: Uint8Array
  commitment: BlobCommitment
  paymentHeaderHash: Uint8Array // bytes32
}

export interface BlobCertificate {
  blobHeader: BlobHeaderV2
  signature: Uint8Array
  relayKeys: number[] // uint32[]
}

export interface BlobInclusionInfo {
  blobCertificate: BlobCertificate
  blobIndex: number // uint32
  inclusionProof: Uint8Array
}

export interface NonSignerStakesAndSignature {
  nonSignerQuorumBitmapIndices: number[]
  nonSignerPubkeys: G1Point[]
  quorumApks: G1Point[]
  apkG2: G2Point
  sigma: G1Point
  quorumApkIndices: number[]
  totalStakeIndices: number[]
  nonSignerStakeIndices: number[][]
}

interface CertV2Fields {
  batchHeader: BatchHeaderV2
  blobInclusionInfo: BlobInclusionInfo
  nonSignerStakesAndSignature: NonSignerStakesAndSignature
  signedQuorumNumbers: Uint8Array
}

/** Version byte 0x01: legacy order `[blobInclusionInfo, batchHeader, nonSignerStakesAndSignature, signedQuorumNumbers]`. */
export interface EigenDACertV2 extends CertV2Fields {
  versionByte: typeof CERT_VERSION_V2
}

/** Version byte 0x02: `[batchHeader, blobInclusionInfo, nonSignerStakesAndSignature, signedQuorumNumbers]`. */
export interface EigenDACertV3 extends CertV2Fields {
  versionByte: typeof CERT_VERSION_V3
}

/** Version byte 0x03: V3 plus `offchainDerivationVersion uint16` as the 5th field. */
export interface EigenDACertV4 extends CertV2Fields {
  versionByte: typeof CERT_VERSION_V4
  offchainDerivationVersion: number
}

// ---- V1 (EigenDA V1 network, protobuf BlobInfo) ----

export interface BlobQuorumParam {
  quorumNumber: number
  adversaryThresholdPercentage: number
  confirmationThresholdPercentage: number
  chunkLength: number
}

export interface BlobHeaderV1 {
  /** G1 commitment as raw 32-byte big-endian X and Y (`[]byte`, checked to be 32 bytes as eigenda-proxy does) */
  commitment: { x: Uint8Array; y: Uint8Array }
  dataLength: number
  blobQuorumParams: BlobQuorumParam[]
}

export interface BatchHeaderV1 {
  batchRoot: Uint8Array
  quorumNumbers: Uint8Array
  quorumSignedPercentages: Uint8Array
  referenceBlockNumber: number
}

export interface BatchMetadataV1 {
  batchHeader: BatchHeaderV1
  signatoryRecordHash: Uint8Array
  fee: Uint8Array
  confirmationBlockNumber: number
  batchHeaderHash: Uint8Array
}

export interface BlobVerificationProofV1 {
  batchId: number
  blobIndex: number
  batchMetadata: BatchMetadataV1
  inclusionProof: Uint8Array
  quorumIndexes: Uint8Array
}

/** Version byte 0x00: `[blobHeader, blobVerificationProof]`. */
export interface EigenDACertV1 {
  versionByte: typeof CERT_VERSION_V1
  blobHeader: BlobHeaderV1
  blobVerificationProof: BlobVerificationProofV1
}

export type EigenDACert = EigenDACertV1 | EigenDACertV2 | EigenDACertV3 | EigenDACertV4

// ---- field readers ----

function list(node: RlpNode, arity: number | undefined, path: string): RlpNode[] {
  if (!Array.isArray(node))
    throw new CertError('CERT_WRONG_ITEM_KIND', `${path}: expected a list, got a string`, { path })
  if (arity !== undefined && node.length !== arity) {
    throw new CertError('CERT_WRONG_ARITY', `${path}: expected ${arity} fields, got ${node.length}`, {
      path,
      expected: arity,
      actual: node.length,
    })
  }
  return node
}

function bytes(node: RlpNode, path: string): Uint8Array {
  if (Array.isArray(node))
    throw new CertError('CERT_WRONG_ITEM_KIND', `${path}: expected a string, got a list`, { path })
  return node
}

function fixed(node: RlpNode, len: number, path: string): Uint8Array {
  const b = bytes(node, path)
  if (b.length !== len) {
    throw new CertError('CERT_BAD_FIELD_LENGTH', `${path}: expected ${len} bytes, got ${b.length}`, {
      path,
      expected: len,
      actual: b.length,
    })
  }
  return b
}

function uintBytes(node: RlpNode, maxBytes: number, path: string): Uint8Array {
  const b = bytes(node, path)
  if (b.length > 0 && b[0] === 0) {
    throw new CertError('CERT_NON_CANONICAL_INT', `${path}: integer has a leading zero byte`, { path })
  }
  if (b.length > maxBytes) {
    throw new CertError('CERT_INT_OVERFLOW', `${path}: integer of ${b.length} bytes exceeds ${maxBytes} bytes`, {
      path,
      maxBytes,
    })
  }
  return b
}

function uint(node: RlpNode, maxBytes: 2 | 4, path: string): number {
  const b = uintBytes(node, maxBytes, path)
  let v = 0
  for (const x of b) v = v * 256 + x
  return v
}

const u16 = (n: RlpNode, path: string): number => uint(n, 2, path)
const u32 = (n: RlpNode, path: string): number => uint(n, 4, path)
const u256 = (n: RlpNode, path: string): bigint => bytesToBigInt(uintBytes(n, 32, path))

function u32List(node: RlpNode, path: string): number[] {
  return list(node, undefined, path).map((n, i) => u32(n, `${path}[${i}]`))
}

function g1(node: RlpNode, path: string): G1Point {
  const [x, y] = list(node, 2, path) as [RlpNode, RlpNode]
  return { x: u256(x, `${path}.X`), y: u256(y, `${path}.Y`) }
}

function fp2(node: RlpNode, path: string): [bigint, bigint] {
  const [a, b] = list(node, 2, path) as [RlpNode, RlpNode]
  return [u256(a, `${path}[0]`), u256(b, `${path}[1]`)]
}

function g2(node: RlpNode, path: string): G2Point {
  const [x, y] = list(node, 2, path) as [RlpNode, RlpNode]
  return { x: fp2(x, `${path}.X`), y: fp2(y, `${path}.Y`) }
}

function batchHeaderV2(node: RlpNode, path: string): BatchHeaderV2 {
  const [root, rbn] = list(node, 2, path) as [RlpNode, RlpNode]
  return {
    batchRoot: fixed(root, 32, `${path}.batchRoot`),
    referenceBlockNumber: u32(rbn, `${path}.referenceBlockNumber`),
  }
}

function blobInclusionInfo(node: RlpNode, path: string): BlobInclusionInfo {
  const [cert, index, proof] = list(node, 3, path) as [RlpNode, RlpNode, RlpNode]
  const cp = `${path}.blobCertificate`
  const [header, signature, relayKeys] = list(cert, 3, cp) as [RlpNode, RlpNode, RlpNode]
  const hp = `${cp}.blobHeader`
  const [version, quorums, commitment, payment] = list(header, 4, hp) as [RlpNode, RlpNode, RlpNode, RlpNode]
  const mp = `${hp}.commitment`
  const [c, lc, lp, len] = list(commitment, 4, mp) as [RlpNode, RlpNode, RlpNode, RlpNode]
  return {
    blobCertificate: {
      blobHeader: {
        version: u16(version, `${hp}.version`),
        quorumNumbers: bytes(quorums, `${hp}.quorumNumbers`),
        commitment: {
          commitment: g1(c, `${mp}.commitment`),
          lengthCommitment: g2(lc, `${mp}.lengthCommitment`),
          lengthProof: g2(lp, `${mp}.lengthProof`),
          length: u32(len, `${mp}.length`),
        },
        paymentHeaderHash: fixed(payment, 32, `${hp}.paymentHeaderHash`),
      },
      signature: bytes(signature, `${cp}.signature`),
      relayKeys: u32List(relayKeys, `${cp}.relayKeys`),
    },
    blobIndex: u32(index, `${path}.blobIndex`),
    inclusionProof: bytes(proof, `${path}.inclusionProof`),
  }
}

function nonSignerStakesAndSignature(node: RlpNode, path: string): NonSignerStakesAndSignature {
  const f = list(node, 8, path) as [RlpNode, RlpNode, RlpNode, RlpNode, RlpNode, RlpNode, RlpNode, RlpNode]
  const g1List = (n: RlpNode, p: string) => list(n, undefined, p).map((x, i) => g1(x, `${p}[${i}]`))
  const nssi = `${path}.nonSignerStakeIndices`
  return {
    nonSignerQuorumBitmapIndices: u32List(f[0], `${path}.nonSignerQuorumBitmapIndices`),
    nonSignerPubkeys: g1List(f[1], `${path}.nonSignerPubkeys`),
    quorumApks: g1List(f[2], `${path}.quorumApks`),
    apkG2: g2(f[3], `${path}.apkG2`),
    sigma: g1(f[4], `${path}.sigma`),
    quorumApkIndices: u32List(f[5], `${path}.quorumApkIndices`),
    totalStakeIndices: u32List(f[6], `${path}.totalStakeIndices`),
    nonSignerStakeIndices: list(f[7], undefined, nssi).map((n, i) => u32List(n, `${nssi}[${i}]`)),
  }
}

function decodeV1(node: RlpNode): EigenDACertV1 {
  const [header, proof] = list(node, 2, 'cert') as [RlpNode, RlpNode]
  const [commitment, dataLength, params] = list(header, 3, 'blobHeader') as [RlpNode, RlpNode, RlpNode]
  const [cx, cy] = list(commitment, 2, 'blobHeader.commitment') as [RlpNode, RlpNode]
  const [batchId, blobIndex, metadata, inclusionProof, quorumIndexes] = list(proof, 5, 'blobVerificationProof') as [
    RlpNode,
    RlpNode,
    RlpNode,
    RlpNode,
    RlpNode,
  ]
  const mp = 'blobVerificationProof.batchMetadata'
  const [bh, sigHash, fee, confirmation, bhHash] = list(metadata, 5, mp) as [
    RlpNode,
    RlpNode,
    RlpNode,
    RlpNode,
    RlpNode,
  ]
  const bp = `${mp}.batchHeader`
  const [root, quorums, signedPct, rbn] = list(bh, 4, bp) as [RlpNode, RlpNode, RlpNode, RlpNode]
  return {
    versionByte: CERT_VERSION_V1,
    blobHeader: {
      commitment: { x: fixed(cx, 32, 'blobHeader.commitment.X'), y: fixed(cy, 32, 'blobHeader.commitment.Y') },
      dataLength: u32(dataLength, 'blobHeader.dataLength'),
      blobQuorumParams: list(params, undefined, 'blobHeader.blobQuorumParams').map((p, i) => {
        const pp = `blobHeader.blobQuorumParams[${i}]`
        const [q, adv, conf, chunk] = list(p, 4, pp) as [RlpNode, RlpNode, RlpNode, RlpNode]
        return {
          quorumNumber: u32(q, `${pp}.quorumNumber`),
          adversaryThresholdPercentage: u32(adv, `${pp}.adversaryThresholdPercentage`),
          confirmationThresholdPercentage: u32(conf, `${pp}.confirmationThresholdPercentage`),
          chunkLength: u32(chunk, `${pp}.chunkLength`),
        }
      }),
    },
    blobVerificationProof: {
      batchId: u32(batchId, 'blobVerificationProof.batchId'),
      blobIndex: u32(blobIndex, 'blobVerificationProof.blobIndex'),
      batchMetadata: {
        batchHeader: {
          batchRoot: bytes(root, `${bp}.batchRoot`),
          quorumNumbers: bytes(quorums, `${bp}.quorumNumbers`),
          quorumSignedPercentages: bytes(signedPct, `${bp}.quorumSignedPercentages`),
          referenceBlockNumber: u32(rbn, `${bp}.referenceBlockNumber`),
        },
        signatoryRecordHash: bytes(sigHash, `${mp}.signatoryRecordHash`),
        fee: bytes(fee, `${mp}.fee`),
        confirmationBlockNumber: u32(confirmation, `${mp}.confirmationBlockNumber`),
        batchHeaderHash: bytes(bhHash, `${mp}.batchHeaderHash`),
      },
      inclusionProof: bytes(inclusionProof, 'blobVerificationProof.inclusionProof'),
      quorumIndexes: bytes(quorumIndexes, 'blobVerificationProof.quorumIndexes'),
    },
  }
}

/** Decodes the RLP cert that follows `versionByte` in a commitment. Throws CertError. */
export function decodeCert(versionByte: number, rlp: Uint8Array): EigenDACert {
  if (!isCertVersionByte(versionByte)) {
    throw new CertError('CERT_UNSUPPORTED_VERSION', `unsupported cert version byte ${versionByte}`, { versionByte })
  }
  const node = rlpDecode(rlp)
  if (versionByte === CERT_VERSION_V1) return decodeV1(node)
  if (versionByte === CERT_VERSION_V2) {
    const [bii, bh, nss, sq] = list(node, 4, 'cert') as [RlpNode, RlpNode, RlpNode, RlpNode]
    return {
      versionByte,
      blobInclusionInfo: blobInclusionInfo(bii, 'blobInclusionInfo'),
      batchHeader: batchHeaderV2(bh, 'batchHeader'),
      nonSignerStakesAndSignature: nonSignerStakesAndSignature(nss, 'nonSignerStakesAndSignature'),
      signedQuorumNumbers: bytes(sq, 'signedQuorumNumbers'),
    }
  }
  const fields = list(node, versionByte === CERT_VERSION_V3 ? 4 : 5, 'cert')
  const [bh, bii, nss, sq] = fields as [RlpNode, RlpNode, RlpNode, RlpNode]
  const common: CertV2Fields = {
    batchHeader: batchHeaderV2(bh, 'batchHeader'),
    blobInclusionInfo: blobInclusionInfo(bii, 'blobInclusionInfo'),
    nonSignerStakesAndSignature: nonSignerStakesAndSignature(nss, 'nonSignerStakesAndSignature'),
    signedQuorumNumbers: bytes(sq, 'signedQuorumNumbers'),
  }
  if (versionByte === CERT_VERSION_V3) return { versionByte, ...common }
  return { versionByte, ...common, offchainDerivationVersion: u16(fields[4]!, 'offchainDerivationVersion') }
}

// ---- encoding ----

const int = (v: number | bigint): Uint8Array => bigIntToMinimalBytes(BigInt(v))
const encG1 = (p: G1Point): RlpNode => [int(p.x), int(p.y)]
const encG2 = (p: G2Point): RlpNode => [
  [int(p.x[0]), int(p.x[1])],
  [int(p.y[0]), int(p.y[1])],
]
const encInts = (vs: readonly number[]): RlpNode => vs.map(int)

function encBlobInclusionInfo(b: BlobInclusionInfo): RlpNode {
  const h = b.blobCertificate.blobHeader
  return [
    [
      [
        int(h.version),
        h.quorumNumbers,
        [
          encG1(h.commitment.commitment),
          encG2(h.commitment.lengthCommitment),
          encG2(h.commitment.lengthProof),
          int(h.commitment.length),
        ],
        h.paymentHeaderHash,
      ],
      b.blobCertificate.signature,
      encInts(b.blobCertificate.relayKeys),
    ],
    int(b.blobIndex),
    b.inclusionProof,
  ]
}

function encNonSigner(n: NonSignerStakesAndSignature): RlpNode {
  return [
    encInts(n.nonSignerQuorumBitmapIndices),
    n.nonSignerPubkeys.map(encG1),
    n.quorumApks.map(encG1),
    encG2(n.apkG2),
    encG1(n.sigma),
    encInts(n.quorumApkIndices),
    encInts(n.totalStakeIndices),
    n.nonSignerStakeIndices.map(encInts),
  ]
}

function encV1(c: EigenDACertV1): RlpNode {
  const h = c.blobHeader
  const p = c.blobVerificationProof
  const m = p.batchMetadata
  return [
    [
      [h.commitment.x, h.commitment.y],
      int(h.dataLength),
      h.blobQuorumParams.map((q) => [
        int(q.quorumNumber),
        int(q.adversaryThresholdPercentage),
        int(q.confirmationThresholdPercentage),
        int(q.chunkLength),
      ]),
    ],
    [
      int(p.batchId),
      int(p.blobIndex),
      [
        [
          m.batchHeader.batchRoot,
          m.batchHeader.quorumNumbers,
          m.batchHeader.quorumSignedPercentages,
          int(m.batchHeader.referenceBlockNumber),
        ],
        m.signatoryRecordHash,
        m.fee,
        int(m.confirmationBlockNumber),
        m.batchHeaderHash,
      ],
      p.inclusionProof,
      p.quorumIndexes,
    ],
  ]
}

/** The RLP cert bytes (without the version byte). */
export function encodeCert(cert: EigenDACert): Uint8Array {
  switch (cert.versionByte) {
    case CERT_VERSION_V1:
      return rlpEncode(encV1(cert))
    case CERT_VERSION_V2:
      return rlpEncode([
        encBlobInclusionInfo(cert.blobInclusionInfo),
        [cert.batchHeader.batchRoot, int(cert.batchHeader.referenceBlockNumber)],
        encNonSigner(cert.nonSignerStakesAndSignature),
        cert.signedQuorumNumbers,
      ])
    default: {
      const fields: RlpNode[] = [
        [cert.batchHeader.batchRoot, int(cert.batchHeader.referenceBlockNumber)],
        encBlobInclusionInfo(cert.blobInclusionInfo),
        encNonSigner(cert.nonSignerStakesAndSignature),
        cert.signedQuorumNumbers,
      ]
      if (cert.versionByte === CERT_VERSION_V4) fields.push(int(cert.offchainDerivationVersion))
      return rlpEncode(fields)
    }
  }
}

/** The L1 reference block number the cert was signed against. */
export function certReferenceBlockNumber(cert: EigenDACert): number {
  if (cert.versionByte === CERT_VERSION_V1)
    return cert.blobVerificationProof.batchMetadata.batchHeader.referenceBlockNumber
  return cert.batchHeader.referenceBlockNumber
}

/** Blob length: `commitment.length` (32-byte symbols) for V2+ certs, `blobHeader.dataLength` for V1 certs. */
export function certBlobLengthSymbols(cert: EigenDACert): number {
  if (cert.versionByte === CERT_VERSION_V1) return cert.blobHeader.dataLength
  return cert.blobInclusionInfo.blobCertificate.blobHeader.commitment.length
}
