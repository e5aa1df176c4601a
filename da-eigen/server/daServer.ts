import { randomBytes, randomInt } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Level } from 'level'
import { bytesToHex, concatBytes, hexToBytes } from '../../config/bytes.ts'
import { errorMessage } from '../../config/errors.ts'
import { keccak256 } from '../../config/keccak.ts'
import { type Logger, silentLogger } from '../../config/logger.ts'
import { CERT_VERSION_V4, decodeCert, type EigenDACertV4, encodeCert, isCertVersionByte } from '../cert.ts'
import { EIGENDA_DA_LAYER, GENERIC_COMMITMENT_TYPE } from '../commitment.ts'
import { BYTES_PER_SYMBOL, encodedPayloadSymbols, encodePayload } from '../payload.ts'

// A local EigenDA DA server for devnets: the eigenda-proxy REST API in OP generic-commitment mode with memstore
// semantics (eigenda.md §1, §5), persisted in LevelDB so a restart loses nothing.
//   POST /put, /put/     -> 200 raw `0x01 ++ 0x00 ++ 0x03 ++ RLP(V4 cert)`; the payload is stored under keccak(cert)
//                           503 when PutReturnsFailoverError is set (checked first, like ephemeraldb.InsertEntry)
//                           400 when the body is over 16 MiB or the blob would exceed MaxBlobSizeBytes
//   GET  /get/0x<commit> -> 200 payload; 418 {StatusCode, Msg} for an undecodable cert (1), a failed V4 recency
//                           check (2) or a derivation error stored at put time; 500 "payload not found" for a
//                           missing or expired entry (the proxy never answers 404 for a well-formed cert, and OP
//                           clients treat 404 as a keccak-challenge miss, eigenda.md §4, §5)
//   GET/PATCH/POST /memstore/config, GET /health, GET /config
// Entries expire `expirationMs` after their put (0 = never), pruned every `pruneIntervalMs`, like the memstore.

/** The proxy's POST body limit (MaxServerPOSTRequestBodySize). */
export const MAX_POST_BODY_BYTES = 16 * 1024 * 1024
/** Default `--eigenda.v2.max-blob-length`. */
export const DEFAULT_MAX_BLOB_SIZE_BYTES = 16 * 1024 * 1024
/** `--memstore.expiration` default, 25 minutes. */
export const DEFAULT_BLOB_EXPIRATION_MS = 25 * 60 * 1000
/** V4 offchainDerivationVersion 0 recency window in L1 blocks (EDA consts.go). */
export const RECENCY_WINDOW_V0 = 14400

export interface DerivationErrorBody {
  StatusCode: 1 | 2 | 3 | 4
  Msg: string
}

export interface MemstoreConfig {
  maxBlobSizeBytes: number
  /** 0 = never expire */
  blobExpirationMs: number
  putLatencyMs: number
  getLatencyMs: number
  putReturnsFailoverError: boolean
  /** stored with every later put; a GET of those certs answers 418 with it (memstore semantics) */
  overwritePutWithDerivationError: DerivationErrorBody | null
  /** not in the memstore: every GET answers 418 with this while set */
  getReturnsDerivationError: DerivationErrorBody | null
}

export interface DAServerOptions {
  /** LevelDB directory */
  dir: string
  host?: string
  /** 0 = an ephemeral port */
  port?: number
  /** blob expiration (default 25 min); 0 = never */
  expirationMs?: number
  pruneIntervalMs?: number
  putLatencyMs?: number
  getLatencyMs?: number
  maxBlobSizeBytes?: number
  logger?: Logger
}

// Keys: 'd' ++ keccak(cert) -> record; 'x' ++ expiresAt (u64 BE ms) ++ keccak(cert) -> empty (expiry index).
// Record: expiresAt u64 BE (0 = never) ++ kind u8 (0 payload, 1 derivation-error JSON) ++ bytes.
const DATA_PREFIX = 0x64
const EXPIRY_PREFIX = 0x78
const KIND_PAYLOAD = 0
const KIND_DERIVATION_ERROR = 1

export class DAServer {
  private readonly opts: DAServerOptions
  private readonly log: Logger
  private db: Level<Uint8Array, Uint8Array> | undefined
  private server: Server | undefined
  private pruneTimer: NodeJS.Timeout | undefined
  private pruning = false
  readonly cfg: MemstoreConfig

  constructor(opts: DAServerOptions) {
    this.opts = opts
    this.log = (opts.logger ?? silentLogger()).child({ module: 'da-server' })
    this.cfg = {
      maxBlobSizeBytes: opts.maxBlobSizeBytes ?? DEFAULT_MAX_BLOB_SIZE_BYTES,
      blobExpirationMs: opts.expirationMs ?? DEFAULT_BLOB_EXPIRATION_MS,
      putLatencyMs: opts.putLatencyMs ?? 0,
      getLatencyMs: opts.getLatencyMs ?? 0,
      putReturnsFailoverError: false,
      overwritePutWithDerivationError: null,
      getReturnsDerivationError: null,
    }
  }

  async start(): Promise<{ url: string }> {
    if (this.server) throw new Error('DA server already started')
    const db = new Level<Uint8Array, Uint8Array>(this.opts.dir, { keyEncoding: 'view', valueEncoding: 'view' })
    await db.open()
    this.db = db
    const server = createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        this.log.error({ err, url: req.url }, 'DA server request failed')
        if (!res.headersSent) sendText(res, 500, `internal error: ${errorMessage(err)}`)
        else res.destroy()
      })
    })
    server.requestTimeout = 0
    server.headersTimeout = 10_000
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(this.opts.port ?? 0, this.opts.host ?? '127.0.0.1', () => {
        server.off('error', reject)
        resolve()
      })
    })
    this.server = server
    const interval = this.opts.pruneIntervalMs ?? 500
    this.pruneTimer = setInterval(() => void this.prune(), interval)
    this.pruneTimer.unref()
    const addr = server.address() as AddressInfo
    const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address
    const url = `http://${host}:${addr.port}`
    this.log.info({ url, dir: this.opts.dir }, 'DA server listening')
    return { url }
  }

  async close(): Promise<void> {
    if (this.pruneTimer) clearInterval(this.pruneTimer)
    this.pruneTimer = undefined
    const server = this.server
    this.server = undefined
    if (server) {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
    const db = this.db
    this.db = undefined
    if (db) await db.close()
  }

  /** Deletes every entry whose expiry has passed; returns how many. */
  async prune(now = Date.now()): Promise<number> {
    const db = this.db
    if (!db || this.pruning) return 0
    this.pruning = true
    try {
      const gte = Uint8Array.of(EXPIRY_PREFIX)
      const lt = concatBytes(Uint8Array.of(EXPIRY_PREFIX), u64(now + 1))
      const ops: { type: 'del'; key: Uint8Array }[] = []
      for await (const key of db.keys({ gte, lt })) {
        ops.push({ type: 'del', key })
        ops.push({ type: 'del', key: concatBytes(Uint8Array.of(DATA_PREFIX), key.subarray(9)) })
      }
      if (ops.length > 0) await db.batch(ops)
      return ops.length / 2
    } catch (err) {
      if (this.db) this.log.warn({ err }, 'DA server prune failed')
      return 0
    } finally {
      this.pruning = false
    }
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost')
    const path = url.pathname
    const method = req.method ?? 'GET'
    if (path === '/put' || path === '/put/') {
      if (method !== 'POST') return sendText(res, 405, 'method not allowed')
      return this.handlePut(req, res)
    }
    if (path.startsWith('/get/')) {
      if (method !== 'GET') return sendText(res, 405, 'method not allowed')
      return this.handleGet(path.slice(5), url.searchParams, res)
    }
    if (path === '/health' && method === 'GET') return sendText(res, 200, '')
    if (path === '/config' && method === 'GET') {
      return sendJson(res, 200, {
        version: 'oln-da-server',
        chain_id: '',
        directory_address: '',
        cert_verifier_address: '',
        max_payload_size_bytes: maxPayloadForBlob(this.cfg.maxBlobSizeBytes),
        apis_enabled: ['op-generic'],
        read_only_mode: false,
      })
    }
    if (path === '/memstore/config') {
      if (method === 'GET') return sendJson(res, 200, this.configJson())
      if (method === 'PATCH' || method === 'POST') {
        const body = await readBody(req, 1 << 16)
        if (body === 'too-large') return sendText(res, 400, 'config body too large')
        try {
          this.patchConfig(JSON.parse(Buffer.from(body).toString('utf8')))
        } catch (err) {
          return sendText(res, 400, `invalid memstore config: ${errorMessage(err)}`)
        }
        return sendJson(res, 200, this.configJson())
      }
      return sendText(res, 405, 'method not allowed')
    }
    return sendText(res, 404, '404 page not found')
  }

  private async handlePut(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (this.cfg.putReturnsFailoverError) {
      req.resume()
      return sendText(res, 503, 'failover: memstore configured to return failover error')
    }
    const body = await readBody(req, MAX_POST_BODY_BYTES)
    if (body === 'too-large') {
      return sendText(
        res,
        400,
        `failed to read request body: reading at most ${MAX_POST_BODY_BYTES} bytes from body: http: request body too large`,
      )
    }
    const blobSize = encodedPayloadSymbols(body.length) * BYTES_PER_SYMBOL
    if (blobSize > this.cfg.maxBlobSizeBytes) {
      return sendText(
        res,
        400,
        `encoded blob is larger than max blob size: blob length ${blobSize}, max blob size ${this.cfg.maxBlobSizeBytes}`,
      )
    }
    if (this.cfg.putLatencyMs > 0) await sleep(this.cfg.putLatencyMs)
    const cert = fabricateCertV4(blobSize / BYTES_PER_SYMBOL)
    const certBytes = encodeCert(cert)
    const key = keccak256(certBytes)
    const expiresAt = this.cfg.blobExpirationMs > 0 ? Date.now() + this.cfg.blobExpirationMs : 0
    const derr = this.cfg.overwritePutWithDerivationError
    const record = concatBytes(
      u64(expiresAt),
      Uint8Array.of(derr ? KIND_DERIVATION_ERROR : KIND_PAYLOAD),
      derr ? Buffer.from(JSON.stringify(derr)) : body,
    )
    const db = this.requireDb()
    const dataKey = concatBytes(Uint8Array.of(DATA_PREFIX), key)
    // overwriting an entry is an error in the memstore; a random cert never collides, but be exact about it
    if ((await db.get(dataKey)) !== undefined) return sendText(res, 500, `key already exists: ${bytesToHex(key)}`)
    const ops: { type: 'put'; key: Uint8Array; value: Uint8Array }[] = [{ type: 'put', key: dataKey, value: record }]
    if (expiresAt > 0) {
      ops.push({
        type: 'put',
        key: concatBytes(Uint8Array.of(EXPIRY_PREFIX), u64(expiresAt), key),
        value: new Uint8Array(0),
      })
    }
    await db.batch(ops)
    this.log.debug({ size: body.length, key: bytesToHex(key) }, 'DA server stored payload')
    const commitment = concatBytes(Uint8Array.of(GENERIC_COMMITMENT_TYPE, EIGENDA_DA_LAYER, CERT_VERSION_V4), certBytes)
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': commitment.length })
    res.end(commitment)
  }

  private async handleGet(commitHex: string, query: URLSearchParams, res: ServerResponse): Promise<void> {
    const hex = commitHex.startsWith('0x') || commitHex.startsWith('0X') ? commitHex.slice(2) : commitHex
    let commitment: Uint8Array
    try {
      if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) throw new Error('invalid hex')
      commitment = hexToBytes(`0x${hex}`)
    } catch (err) {
      return sendText(res, 400, `failed to decode commitment: ${errorMessage(err)}`)
    }
    if (commitment.length === 0) return sendText(res, 404, '404 page not found')
    if (commitment[0] !== GENERIC_COMMITMENT_TYPE) {
      if (commitment.length === 1) return sendText(res, 400, `unsupported commitment type ${hex.slice(0, 2)}`)
      return sendText(res, 404, '404 page not found')
    }
    if (commitment.length < 4) return sendText(res, 404, '404 page not found')
    const version = commitment[2]!
    if (!isCertVersionByte(version)) return sendText(res, 400, `unsupported version byte ${hex.slice(4, 6)}`)
    let l1Inclusion = 0
    const l1Param = query.get('l1_inclusion_block_number')
    if (l1Param !== null) {
      if (!/^\d+$/.test(l1Param) || BigInt(l1Param) > 0xffff_ffff_ffff_ffffn) {
        return sendText(res, 400, `invalid l1_inclusion_block_number: ${l1Param}`)
      }
      l1Inclusion = Number(l1Param)
    }
    if (this.cfg.getLatencyMs > 0) await sleep(this.cfg.getLatencyMs)
    const certBytes = commitment.subarray(3)
    let cert: ReturnType<typeof decodeCert>
    try {
      cert = decodeCert(version, certBytes)
    } catch (err) {
      return sendDrop(res, { StatusCode: 1, Msg: `cert parsing failed: ${errorMessage(err)}` })
    }
    if (this.cfg.getReturnsDerivationError) return sendDrop(res, this.cfg.getReturnsDerivationError)
    if (cert.versionByte === CERT_VERSION_V4 && l1Inclusion > 0) {
      if (cert.offchainDerivationVersion !== 0) {
        return sendDrop(res, {
          StatusCode: 1,
          Msg: `unknown offchain derivation version ${cert.offchainDerivationVersion}`,
        })
      }
      const rbn = cert.batchHeader.referenceBlockNumber
      if (l1Inclusion > rbn + RECENCY_WINDOW_V0) {
        return sendDrop(res, {
          StatusCode: 2,
          Msg: `recency check failed: l1 inclusion block ${l1Inclusion} > rbn ${rbn} + window ${RECENCY_WINDOW_V0}`,
        })
      }
    }
    const key = keccak256(certBytes)
    const record = await this.requireDb().get(concatBytes(Uint8Array.of(DATA_PREFIX), key))
    const expiresAt = record ? Number(new DataView(record.buffer, record.byteOffset, 8).getBigUint64(0, false)) : 0
    if (!record || (expiresAt > 0 && expiresAt <= Date.now())) {
      return sendText(res, 500, `payload not found for key ${bytesToHex(key)}`)
    }
    let value = record.subarray(9)
    if (record[8] === KIND_DERIVATION_ERROR) {
      return sendDrop(res, JSON.parse(Buffer.from(value).toString('utf8')) as DerivationErrorBody)
    }
    // `return_encoded_payload` (bare, =true or =1): the encoded payload instead of the payload (eigenda.md §1.1)
    const encodedParam = query.get('return_encoded_payload')
    if (encodedParam === '' || encodedParam === 'true' || encodedParam === '1') value = encodePayload(value)
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': value.length })
    res.end(value)
  }

  private requireDb(): Level<Uint8Array, Uint8Array> {
    if (!this.db) throw new Error('DA server is not running')
    return this.db
  }

  private configJson(): Record<string, unknown> {
    return {
      MaxBlobSizeBytes: this.cfg.maxBlobSizeBytes,
      BlobExpiration: formatGoDuration(this.cfg.blobExpirationMs),
      PutLatency: formatGoDuration(this.cfg.putLatencyMs),
      GetLatency: formatGoDuration(this.cfg.getLatencyMs),
      PutReturnsFailoverError: this.cfg.putReturnsFailoverError,
      OverwritePutWithDerivationError: this.cfg.overwritePutWithDerivationError,
      GetReturnsDerivationError: this.cfg.getReturnsDerivationError,
      CertVersion: 0,
    }
  }

  /** Applies a partial memstore config (Go duration strings or numbers of ms; unknown keys are ignored). */
  patchConfig(p: Record<string, unknown>): void {
    if (typeof p !== 'object' || p === null) throw new Error('config must be a JSON object')
    const next = { ...this.cfg }
    if (p.MaxBlobSizeBytes !== undefined) {
      if (typeof p.MaxBlobSizeBytes !== 'number' || p.MaxBlobSizeBytes <= 0) {
        throw new Error('MaxBlobSizeBytes must be a positive number')
      }
      next.maxBlobSizeBytes = p.MaxBlobSizeBytes
    }
    if (p.BlobExpiration !== undefined) next.blobExpirationMs = durationMs(p.BlobExpiration, 'BlobExpiration')
    if (p.PutLatency !== undefined) next.putLatencyMs = durationMs(p.PutLatency, 'PutLatency')
    if (p.GetLatency !== undefined) next.getLatencyMs = durationMs(p.GetLatency, 'GetLatency')
    if (p.PutReturnsFailoverError !== undefined) {
      if (typeof p.PutReturnsFailoverError !== 'boolean') throw new Error('PutReturnsFailoverError must be a boolean')
      next.putReturnsFailoverError = p.PutReturnsFailoverError
    }
    if (p.NullableDerivationError !== undefined) {
      next.overwritePutWithDerivationError = nullableDerivationError(p.NullableDerivationError)
    }
    if (p.GetReturnsDerivationError !== undefined) {
      next.getReturnsDerivationError =
        p.GetReturnsDerivationError === null ? null : nullableDerivationError(p.GetReturnsDerivationError)
    }
    Object.assign(this.cfg, next)
  }
}

function nullableDerivationError(v: unknown): DerivationErrorBody | null {
  if (typeof v !== 'object' || v === null) throw new Error('derivation error must be an object')
  const o = v as { StatusCode?: unknown; Msg?: unknown; Reset?: unknown }
  if (o.Reset === true) return null
  const c = o.StatusCode
  if (c !== 1 && c !== 2 && c !== 3 && c !== 4) throw new Error('StatusCode must be 1..4')
  return { StatusCode: c, Msg: typeof o.Msg === 'string' ? o.Msg : '' }
}

/** A V4 cert shaped like the memstore's (eigenda.md §5): random fields, RBN near 2^32 so recency never fails. */
export function fabricateCertV4(lengthSymbols: number): EigenDACertV4 {
  const small = () => BigInt(randomInt(1, 2 ** 40))
  const g2 = () => ({ x: [small(), small()] as [bigint, bigint], y: [small(), small()] as [bigint, bigint] })
  return {
    versionByte: CERT_VERSION_V4,
    batchHeader: { batchRoot: randomBytes(32), referenceBlockNumber: 4294967200 + randomInt(0, 32) },
    blobInclusionInfo: {
      blobCertificate: {
        blobHeader: {
          version: 0,
          quorumNumbers: Uint8Array.of(0x00, 0x01),
          // the BN254 G1 generator: a valid point; the real memstore computes the KZG commitment with the SRS
          commitment: {
            commitment: { x: 1n, y: 2n },
            lengthCommitment: g2(),
            lengthProof: g2(),
            length: lengthSymbols,
          },
          paymentHeaderHash: randomBytes(32),
        },
        signature: randomBytes(48),
        relayKeys: [randomInt(0, 2 ** 31), randomInt(0, 2 ** 31)],
      },
      blobIndex: randomInt(0, 1000),
      inclusionProof: randomBytes(128),
    },
    nonSignerStakesAndSignature: {
      nonSignerQuorumBitmapIndices: [randomInt(1, 1000)],
      nonSignerPubkeys: [{ x: small(), y: small() }],
      quorumApks: [{ x: small(), y: small() }],
      apkG2: g2(),
      sigma: { x: small(), y: small() },
      quorumApkIndices: [randomInt(1, 1000)],
      totalStakeIndices: [randomInt(1, 1000)],
      nonSignerStakeIndices: [[randomInt(1, 1000)]],
    },
    signedQuorumNumbers: Uint8Array.of(0x00, 0x01),
    offchainDerivationVersion: 0,
  }
}

/** Largest payload whose encoded blob fits `blobBytes` (eigenda.md §1.4). */
export function maxPayloadForBlob(blobBytes: number): number {
  let p = 1
  while (p * 2 <= blobBytes) p *= 2
  return (p / BYTES_PER_SYMBOL - 1) * 31
}

const GO_UNITS: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1, us: 0.001, µs: 0.001, ns: 1e-6 }

/** Parses a Go duration string ("1m30s", "250ms", "0s") or a number of milliseconds. */
export function durationMs(v: unknown, field: string): number {
  if (typeof v === 'number' && Number.isFinite(v) && v >= 0) return v
  if (typeof v !== 'string') throw new Error(`${field} must be a Go duration string or milliseconds`)
  if (v === '0') return 0
  const re = /(\d+(?:\.\d+)?)(h|ms|us|µs|ns|m|s)/gy
  let total = 0
  let m: RegExpExecArray | null
  let consumed = 0
  // biome-ignore lint/suspicious/noAssignInExpressions: regex scan
  while ((m = re.exec(v)) !== null) {
    total += Number(m[1]) * GO_UNITS[m[2]!]!
    consumed = re.lastIndex
  }
  if (consumed !== v.length || v.length === 0) throw new Error(`${field}: invalid duration '${v}'`)
  return Math.round(total)
}

/** Formats milliseconds like Go's time.Duration.String() for whole-ms values ("25m0s", "250ms", "0s"). */
export function formatGoDuration(ms: number): string {
  if (ms === 0) return '0s'
  if (ms < 1000) return `${ms}ms`
  const h = Math.floor(ms / 3_600_000)
  const m = Math.floor((ms % 3_600_000) / 60_000)
  const s = (ms % 60_000) / 1000
  let out = ''
  if (h > 0) out += `${h}h`
  if (h > 0 || m > 0) out += `${m}m`
  return `${out}${s}s`
}

function u64(v: number): Uint8Array {
  const out = new Uint8Array(8)
  new DataView(out.buffer).setBigUint64(0, BigInt(v), false)
  return out
}

/** Reads the body; past `limit` bytes the rest is drained and 'too-large' returned. */
function readBody(req: IncomingMessage, limit: number): Promise<Uint8Array | 'too-large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    let over = false
    req.on('data', (c: Buffer) => {
      if (over) return
      size += c.length
      if (size > limit) {
        over = true
        chunks.length = 0
        return
      }
      chunks.push(c)
    })
    req.on('end', () => resolve(over ? 'too-large' : new Uint8Array(Buffer.concat(chunks))))
    req.on('error', reject)
  })
}

function sendText(res: ServerResponse, status: number, text: string): void {
  const body = text.length > 0 ? `${text}\n` : ''
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body) })
  res.end(body)
}

function sendJson(res: ServerResponse, status: number, v: unknown): void {
  const body = JSON.stringify(v)
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) })
  res.end(body)
}

/** 418 as the proxy writes it: http.Error with the JSON, so text/plain and a trailing newline. */
function sendDrop(res: ServerResponse, e: DerivationErrorBody): void {
  sendText(res, 418, JSON.stringify(e))
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms))
}
