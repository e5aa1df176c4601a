import { bytesEqual, bytesToHex } from '../config/bytes.ts'
import { errorMessage } from '../config/errors.ts'
import { keccak256 } from '../config/keccak.ts'
import { type Logger, silentLogger } from '../config/logger.ts'
import type { L1BlockRef } from '../config/types.ts'
import { PipelineError } from '../derivation/pipelineErrors.ts'
import type { DASource } from '../derivation/providers.ts'
import { certBlobLengthSymbols } from './cert.ts'
import { decodeCommitment } from './commitment.ts'
import { CommitmentError, DAClientError, DAFailoverError, DAPayloadTooLargeError, PayloadError } from './errors.ts'
import { BYTES_PER_SYMBOL, decodePayload } from './payload.ts'

// HTTP client for the eigenda-proxy REST API in OP generic-commitment mode (eigenda.md §1), and the derivation
// DASource built on it. Status semantics (§1.2, §1.3, §4):
//   PUT  200 -> commitment bytes (0x01 ++ 0x00 ++ version ++ cert; no tx-data version byte)
//        503 -> DAFailoverError (post to Ethereum DA), at once, no retry
//        400 -> DAPayloadTooLargeError for oversized bodies, else DAClientError DA_REQUEST_REJECTED (no retry)
//        429 / other 5xx / timeout / connection error -> retried, then DAClientError DA_PUT_FAILED
//   GET  200 -> payload bytes
//        418 with JSON {StatusCode 1..4, Msg} -> a `drop` result (derivation skips the commitment)
//        anything else (404, 418 without a valid body, 4xx, 5xx, timeout, connection error) -> retried, then
//        PipelineError 'temporary' (derivation stalls and retries the same commitment)

export interface EigenDAProxyClientOptions {
  /** Base URL of the proxy, e.g. http://127.0.0.1:3100 */
  url: string
  /** Per-attempt timeout for POST /put; 0 = none (default 60s). */
  putTimeoutMs?: number
  /** Per-attempt timeout for GET /get; 0 = none (default 30s). */
  getTimeoutMs?: number
  /** Most requests in flight at once across put and get (default 4). */
  maxConcurrent?: number
  /** Extra attempts after the first for retryable failures (default 3). */
  retries?: number
  /** Base backoff; attempt n waits backoffMs * 2^(n-1), capped at 30s (default 250ms). */
  backoffMs?: number
  logger?: Logger
  /** Sees every HTTP attempt (metrics): its route, outcome and size. */
  observer?: EigenDAClientObserver
}

export type EigenDARoute = 'put' | 'get' | 'health' | 'config'

export interface EigenDAClientObserver {
  /**
   * One HTTP attempt: `status` is the HTTP status code, or 'timeout' / 'unreachable' when no answer came; `bytes`
   * is the payload moved (request body for put, response body for get).
   */
  request(route: EigenDARoute, status: number | 'timeout' | 'unreachable', seconds: number, bytes: number): void
}

/** 418 body from the proxy: coretypes.DerivationError (1 parse, 2 recency, 3 invalid cert, 4 blob decoding). */
export interface EigenDADrop {
  status: 'drop'
  statusCode: 1 | 2 | 3 | 4
  msg: string
}

export type EigenDAGetResult = { status: 'ok'; data: Uint8Array } | EigenDADrop

/** GET /config (EDA only); fields are optional because older proxies do not serve it. */
export interface EigenDAProxyConfig {
  version?: string
  chain_id?: string
  directory_address?: string
  cert_verifier_address?: string
  max_payload_size_bytes?: number
  apis_enabled?: string[]
  read_only_mode?: boolean
  [k: string]: unknown
}

/** A counting semaphore: at most `limit` holders at once, FIFO wake-up. */
export class Semaphore {
  private active = 0
  private readonly waiters: (() => void)[] = []

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`semaphore limit must be >= 1, got ${limit}`)
  }

  get inFlight(): number {
    return this.active
  }

  async acquire(): Promise<void> {
    if (this.active < this.limit) {
      this.active++
      return
    }
    await new Promise<void>((resolve) => this.waiters.push(resolve))
  }

  release(): void {
    const next = this.waiters.shift()
    if (next) next()
    else this.active--
  }

  async run<T>(fn: () => Promise<T>): Promise<T> {
    await this.acquire()
    try {
      return await fn()
    } finally {
      this.release()
    }
  }
}

interface HttpResult {
  status: number
  body: Uint8Array
}

/** Outcome of one attempt: done (return), fatal (throw now) or retry (throw after the last attempt). */
type Attempt<T> = { done: T } | { fatal: Error } | { retry: string }

const MAX_BACKOFF_MS = 30_000
const MAX_418_BODY = 5000

export class EigenDAProxyClient {
  readonly url: string
  private readonly putTimeoutMs: number
  private readonly getTimeoutMs: number
  private readonly retries: number
  private readonly backoffMs: number
  private readonly sem: Semaphore
  private readonly log: Logger
  private readonly observer: EigenDAClientObserver | undefined

  constructor(opts: EigenDAProxyClientOptions) {
    this.observer = opts.observer
    this.url = opts.url.replace(/\/+$/, '')
    this.putTimeoutMs = opts.putTimeoutMs ?? 60_000
    this.getTimeoutMs = opts.getTimeoutMs ?? 30_000
    this.retries = opts.retries ?? 3
    this.backoffMs = opts.backoffMs ?? 250
    this.sem = new Semaphore(opts.maxConcurrent ?? 4)
    this.log = (opts.logger ?? silentLogger()).child({ module: 'eigenda-client' })
  }

  /** Requests in flight right now. */
  get inFlight(): number {
    return this.sem.inFlight
  }

  /** Disperses `data`; returns the generic commitment `0x01 ++ 0x00 ++ version ++ cert`. */
  async put(data: Uint8Array): Promise<Uint8Array> {
    if (data.length === 0) throw new DAClientError('DA_INVALID_INPUT', 'cannot put an empty payload')
    const url = `${this.url}/put`
    const meta = { url, size: data.length }
    return this.withRetries('put', meta, async (): Promise<Attempt<Uint8Array>> => {
      let res: HttpResult
      try {
        res = await this.request(url, { method: 'POST', body: data, timeoutMs: this.putTimeoutMs })
      } catch (err) {
        return { retry: errorMessage(err) }
      }
      if (res.status === 200) {
        try {
          const c = decodeCommitment(res.body)
          if (c.type !== 'eigenda') throw new Error('proxy returned a keccak commitment in generic mode')
        } catch (err) {
          const reason = err instanceof CommitmentError ? err.code : errorMessage(err)
          return {
            fatal: new DAClientError('DA_BAD_COMMITMENT', `proxy returned a malformed commitment: ${reason}`, {
              ...meta,
              body: bytesToHex(res.body.subarray(0, 64)),
            }),
          }
        }
        return { done: res.body }
      }
      const text = bodyText(res.body)
      if (res.status === 503) return { fatal: new DAFailoverError(undefined, { ...meta, msg: text }) }
      if (res.status === 400) {
        if (/larger than|too large|at most|oversized/i.test(text)) {
          return { fatal: new DAPayloadTooLargeError(`payload rejected as too large: ${text}`, meta) }
        }
        return {
          fatal: new DAClientError('DA_REQUEST_REJECTED', `proxy rejected put: ${text}`, { ...meta, status: 400 }),
        }
      }
      if (res.status === 429 || res.status >= 500) return { retry: `HTTP ${res.status}: ${text}` }
      return {
        fatal: new DAClientError('DA_REQUEST_REJECTED', `proxy rejected put with HTTP ${res.status}: ${text}`, {
          ...meta,
          status: res.status,
        }),
      }
    }).catch((err: unknown) => {
      if (err instanceof RetriesExhausted) {
        throw new DAClientError('DA_PUT_FAILED', `put failed after ${err.attempts} attempts: ${err.last}`, {
          ...meta,
          attempts: err.attempts,
        })
      }
      throw err
    })
  }

  /**
   * Fetches the payload for a commitment (without the 0x01 tx-data version). `l1InclusionBlock` drives the proxy's
   * recency check; 0 or undefined skips it. Throws PipelineError 'temporary' when every attempt failed.
   */
  async get(
    commitment: Uint8Array,
    l1InclusionBlock?: number,
    opts: { encoded?: boolean } = {},
  ): Promise<EigenDAGetResult> {
    let url = `${this.url}/get/${bytesToHex(commitment)}`
    const query: string[] = []
    if (l1InclusionBlock !== undefined && l1InclusionBlock > 0)
      query.push(`l1_inclusion_block_number=${l1InclusionBlock}`)
    // the proxy then skips its own decoding and returns the encoded payload (eigenda.md §1.1), which we check
    if (opts.encoded) query.push('return_encoded_payload=true')
    if (query.length > 0) url += `?${query.join('&')}`
    const meta = { url: url.length > 200 ? `${url.slice(0, 200)}...` : url }
    return this.withRetries('get', meta, async (): Promise<Attempt<EigenDAGetResult>> => {
      let res: HttpResult
      try {
        res = await this.request(url, { method: 'GET', timeoutMs: this.getTimeoutMs })
      } catch (err) {
        return { retry: errorMessage(err) }
      }
      if (res.status === 200) return { done: { status: 'ok', data: res.body } }
      if (res.status === 418) {
        const drop = parseDrop(res.body.subarray(0, MAX_418_BODY))
        if (drop) return { done: drop }
        return { retry: `HTTP 418 with an unparseable body: ${bodyText(res.body)}` }
      }
      return { retry: `HTTP ${res.status}: ${bodyText(res.body)}` }
    }).catch((err: unknown) => {
      if (err instanceof RetriesExhausted) {
        throw PipelineError.temp(
          'EIGENDA_GET_FAILED',
          `eigenda get failed after ${err.attempts} attempts: ${err.last}`,
          {
            ...meta,
            attempts: err.attempts,
          },
        )
      }
      throw err
    })
  }

  /** GET /health: true on 200, false on any other answer or a connection error. */
  async health(): Promise<boolean> {
    try {
      const res = await this.request(`${this.url}/health`, { method: 'GET', timeoutMs: this.getTimeoutMs })
      return res.status === 200
    } catch {
      return false
    }
  }

  /** GET /config (EDA compatibility info). */
  async config(): Promise<EigenDAProxyConfig> {
    const url = `${this.url}/config`
    let res: HttpResult
    try {
      res = await this.request(url, { method: 'GET', timeoutMs: this.getTimeoutMs })
    } catch (err) {
      throw new DAClientError('DA_REQUEST_FAILED', `config request failed: ${errorMessage(err)}`, { url })
    }
    if (res.status !== 200) {
      throw new DAClientError('DA_REQUEST_FAILED', `config request got HTTP ${res.status}`, {
        url,
        status: res.status,
      })
    }
    try {
      return JSON.parse(bodyText(res.body)) as EigenDAProxyConfig
    } catch (err) {
      throw new DAClientError('DA_REQUEST_FAILED', `config body is not JSON: ${errorMessage(err)}`, { url })
    }
  }

  private async withRetries<T>(op: string, meta: Record<string, unknown>, attempt: () => Promise<Attempt<T>>) {
    let last = ''
    for (let n = 0; n <= this.retries; n++) {
      if (n > 0) await sleep(Math.min(this.backoffMs * 2 ** (n - 1), MAX_BACKOFF_MS))
      const r = await this.sem.run(attempt)
      if ('done' in r) return r.done
      if ('fatal' in r) throw r.fatal
      last = r.retry
      this.log.debug({ ...meta, attempt: n + 1, reason: last }, `eigenda ${op} attempt failed`)
    }
    this.log.warn({ ...meta, attempts: this.retries + 1, reason: last }, `eigenda ${op} failed`)
    throw new RetriesExhausted(this.retries + 1, last)
  }

  private async request(
    url: string,
    opts: { method: 'GET' | 'POST'; body?: Uint8Array; timeoutMs: number },
  ): Promise<HttpResult> {
    const init: RequestInit = { method: opts.method }
    if (opts.body) {
      init.body = opts.body
      init.headers = { 'content-type': 'application/octet-stream' }
    }
    if (opts.timeoutMs > 0) init.signal = AbortSignal.timeout(opts.timeoutMs)
    const route = routeOf(url, this.url)
    const t0 = performance.now()
    try {
      const res = await fetch(url, init)
      const body = new Uint8Array(await res.arrayBuffer())
      const bytes = route === 'put' ? (opts.body?.length ?? 0) : body.length
      this.observer?.request(route, res.status, (performance.now() - t0) / 1000, bytes)
      return { status: res.status, body }
    } catch (err) {
      const timedOut = (err as Error)?.name === 'TimeoutError' || (err as Error)?.name === 'AbortError'
      this.observer?.request(route, timedOut ? 'timeout' : 'unreachable', (performance.now() - t0) / 1000, 0)
      throw err
    }
  }
}

function routeOf(url: string, base: string): EigenDARoute {
  const path = url.slice(base.length)
  if (path.startsWith('/put')) return 'put'
  if (path.startsWith('/get')) return 'get'
  if (path.startsWith('/health')) return 'health'
  return 'config'
}

class RetriesExhausted extends Error {
  constructor(
    readonly attempts: number,
    readonly last: string,
  ) {
    super(last)
  }
}

/** Parses a 418 body; `undefined` when it is not the {StatusCode 1..4, Msg} JSON (then the GET is retried). */
export function parseDrop(body: Uint8Array): EigenDADrop | undefined {
  try {
    const j = JSON.parse(bodyText(body)) as { StatusCode?: unknown; Msg?: unknown }
    const code = j.StatusCode
    if (code !== 1 && code !== 2 && code !== 3 && code !== 4) return undefined
    return { status: 'drop', statusCode: code, msg: typeof j.Msg === 'string' ? j.Msg : '' }
  } catch {
    return undefined
  }
}

function bodyText(body: Uint8Array): string {
  return Buffer.from(body.subarray(0, 512)).toString('utf8').trim()
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms))
}

/**
 * DASource over the proxy (CELO/LLOPT op-node semantics, eigenda.md §4): an undecodable commitment or a 418 drop
 * gives `null` (skip), everything else that fails is a `temporary` PipelineError. Keccak commitments are fetched too
 * and checked against their hash; a mismatch is skipped.
 */
export interface EigenDADataSourceOptions {
  /**
   * Verify on read (op-alt-da `--altda.verify-on-read`): ask the proxy for the encoded payload and decode it here
   * (eigenda.md §3.3: header, symbol prefixes, zero padding) after checking it fits the blob length in the cert.
   * A payload that fails is dropped like the proxy's StatusCode 4 (blob decoding) — the batcher cannot have
   * produced it. Default true.
   */
  verifyOnRead?: boolean
}

export class EigenDADataSource implements DASource {
  private readonly log: Logger
  private readonly verifyOnRead: boolean

  constructor(
    private readonly client: EigenDAProxyClient,
    logger?: Logger,
    opts: EigenDADataSourceOptions = {},
  ) {
    this.log = (logger ?? silentLogger()).child({ module: 'eigenda-source' })
    this.verifyOnRead = opts.verifyOnRead ?? true
  }

  async getInput(commitment: Uint8Array, l1Ref: L1BlockRef): Promise<Uint8Array | null> {
    let keccakHash: Uint8Array | undefined
    let blobSymbols: number | undefined
    try {
      const c = decodeCommitment(commitment)
      if (c.type === 'keccak') keccakHash = c.hash
      else blobSymbols = certBlobLengthSymbols(c.cert)
    } catch (err) {
      if (!(err instanceof CommitmentError)) throw err
      this.log.warn({ l1: l1Ref.number, code: err.code }, 'skipping undecodable alt-DA commitment')
      return null
    }
    let res: EigenDAGetResult
    try {
      res = await this.client.get(commitment, l1Ref.number, { encoded: this.verifyOnRead && blobSymbols !== undefined })
    } catch (err) {
      if (err instanceof PipelineError) throw err
      throw PipelineError.temp('EIGENDA_GET_FAILED', `eigenda get failed: ${errorMessage(err)}`, {}, err)
    }
    if (res.status === 'drop') {
      this.log.warn(
        { l1: l1Ref.number, statusCode: res.statusCode, msg: res.msg },
        'dropping EigenDA commitment (proxy 418)',
      )
      return null
    }
    if (res.data.length === 0) {
      throw PipelineError.temp('EIGENDA_EMPTY_PAYLOAD', 'proxy returned an empty payload', { l1: l1Ref.number })
    }
    if (this.verifyOnRead && blobSymbols !== undefined) {
      const decoded = this.decodeVerified(res.data, blobSymbols, l1Ref)
      if (decoded === null) return null
      res = { status: 'ok', data: decoded }
      if (decoded.length === 0) {
        throw PipelineError.temp('EIGENDA_EMPTY_PAYLOAD', 'proxy returned an empty payload', { l1: l1Ref.number })
      }
    }
    if (keccakHash && !bytesEqual(keccak256(res.data), keccakHash)) {
      this.log.warn({ l1: l1Ref.number }, 'skipping keccak commitment whose data does not match its hash')
      return null
    }
    return res.data
  }

  /** The payload inside an encoded payload, or null (drop) when it breaks the cert's length or the codec. */
  private decodeVerified(encoded: Uint8Array, blobSymbols: number, l1Ref: L1BlockRef): Uint8Array | null {
    if (encoded.length > blobSymbols * BYTES_PER_SYMBOL) {
      this.log.warn(
        { l1: l1Ref.number, bytes: encoded.length, certSymbols: blobSymbols },
        'dropping EigenDA commitment: encoded payload is longer than the blob in its cert',
      )
      return null
    }
    try {
      return decodePayload(encoded)
    } catch (err) {
      if (!(err instanceof PayloadError)) throw err
      this.log.warn(
        { l1: l1Ref.number, code: err.code },
        'dropping EigenDA commitment: encoded payload does not decode',
      )
      return null
    }
  }
}
