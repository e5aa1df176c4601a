import { hexToBytes } from '../../config/bytes.ts'
import { errorMessage, NodeError } from '../../config/errors.ts'
import type { Logger } from '../../config/logger.ts'
import type { Hash, L1BlockRef } from '../../config/types.ts'
import { PipelineError } from '../../derivation/pipelineErrors.ts'
import type { BlobSource, IndexedBlobHash } from '../../derivation/providers.ts'
import { BLOB_SIZE, kzgToVersionedHash, type NodeKzg, nodeKzg } from './kzg.ts'
import { DEFAULT_RETRY, type RetryOptions, withRetry } from './rpcRetry.ts'

// Blobs from a beacon node (op-node L1BeaconClient). Two endpoints exist: `GET /eth/v1/beacon/blobs/{block_id}`
// (blobs only, filtered by `?versioned_hashes=`) and the older `GET /eth/v1/beacon/blob_sidecars/{block_id}?indices=`
// (with KZG commitment and proof). The preferred one is tried first; if the server does not serve it (404 route,
// 405, 410 deprecated, 501) the other is tried and remembered. Every blob is checked against its versioned hash:
// sidecars by sha256(kzg_commitment) and the KZG proof, bare blobs by recomputing the commitment.
//
// block_id: a real beacon node takes a slot, derived like op-node from the L1 block timestamp:
// slot = (timestamp - genesis_time) / SECONDS_PER_SLOT, both read from /eth/v1/beacon/genesis and /eth/v1/config/spec
// unless configured. anvil (1.7) serves /eth/v1/beacon/blobs but reads block_id as an execution block number or
// hash (its genesis_time is wall-clock and it has no /eth/v1/config/spec), so against anvil use blockId 'blockNumber'.

export type BeaconBlockIdMode = 'slot' | 'blockNumber' | 'blockHash'
export type BeaconBlobEndpoint = 'blobs' | 'sidecars'

export interface BeaconBlobSourceOptions {
  /** Beacon node HTTP API base URL. */
  url: string
  /** How an L1 block is named in the request (default 'slot', the beacon API's meaning). */
  blockId?: BeaconBlockIdMode | undefined
  /** Endpoint tried first (default 'blobs'). */
  endpoint?: BeaconBlobEndpoint | undefined
  /** Slot mapping overrides; fetched from the beacon node when absent. */
  genesisTime?: number | undefined
  secondsPerSlot?: number | undefined
  timeoutMs?: number | undefined
  retry?: Partial<RetryOptions> | undefined
  /** Check sidecar KZG proofs (default true); the versioned-hash check is always done. */
  verifyProofs?: boolean | undefined
  kzg?: NodeKzg | undefined
  logger?: Logger | undefined
}

/** A non-2xx answer of the beacon node. */
export class BeaconHttpError extends NodeError<'BEACON_HTTP_ERROR'> {
  constructor(
    readonly status: number,
    readonly path: string,
    body: string,
  ) {
    super('BEACON_HTTP_ERROR', `beacon ${path} answered ${status}: ${body.slice(0, 200)}`, { status, path })
  }
}

function isTransientBeaconError(err: unknown): boolean {
  if (err instanceof BeaconHttpError) return err.status === 408 || err.status === 429 || err.status >= 500
  // fetch() rejects with a TypeError on connection failure, AbortSignal.timeout with a TimeoutError DOMException.
  return (
    err instanceof TypeError || (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError'))
  )
}

/** The server does not serve this endpoint at all (as opposed to: this block has no blobs). */
function isEndpointUnsupported(err: unknown): boolean {
  if (!(err instanceof BeaconHttpError)) return false
  return err.status === 405 || err.status === 410 || err.status === 501 || err.status === 404
}

interface Sidecar {
  index: string
  blob: string
  kzg_commitment: string
  kzg_proof: string
}

export class BeaconBlobSource implements BlobSource {
  private readonly base: string
  private readonly retry: RetryOptions
  private preferred: BeaconBlobEndpoint
  private slotParams: Promise<{ genesisTime: number; secondsPerSlot: number }> | undefined

  constructor(private readonly opts: BeaconBlobSourceOptions) {
    this.base = opts.url.replace(/\/+$/, '')
    this.retry = { ...DEFAULT_RETRY, ...opts.retry }
    this.preferred = opts.endpoint ?? 'blobs'
  }

  private get kzg(): NodeKzg {
    return this.opts.kzg ?? nodeKzg()
  }

  private async getJson<T>(path: string): Promise<T> {
    return withRetry(
      async () => {
        const res = await fetch(`${this.base}${path}`, {
          headers: { accept: 'application/json' },
          signal: AbortSignal.timeout(this.opts.timeoutMs ?? 30_000),
        })
        if (!res.ok) throw new BeaconHttpError(res.status, path.split('?')[0]!, await res.text())
        return (await res.json()) as T
      },
      this.retry,
      (err, attempt, delayMs) =>
        this.opts.logger?.debug({ path, attempt, delayMs, err: errorMessage(err) }, 'beacon retry'),
      isTransientBeaconError,
    )
  }

  /** op-node's time-to-slot parameters: configured, or read once from the beacon node. */
  private slotParameters(): Promise<{ genesisTime: number; secondsPerSlot: number }> {
    this.slotParams ??= (async () => {
      const genesisTime =
        this.opts.genesisTime ??
        Number((await this.getJson<{ data: { genesis_time: string } }>('/eth/v1/beacon/genesis')).data.genesis_time)
      const secondsPerSlot =
        this.opts.secondsPerSlot ??
        Number(
          (await this.getJson<{ data: { SECONDS_PER_SLOT: string } }>('/eth/v1/config/spec')).data.SECONDS_PER_SLOT,
        )
      if (!(secondsPerSlot > 0)) throw new Error(`beacon SECONDS_PER_SLOT is ${secondsPerSlot}`)
      return { genesisTime, secondsPerSlot }
    })()
    // A failed read is retried on the next call rather than cached.
    this.slotParams.catch(() => {
      this.slotParams = undefined
    })
    return this.slotParams
  }

  /** The beacon block_id naming this L1 block. */
  async blockIdOf(ref: L1BlockRef): Promise<string> {
    const mode = this.opts.blockId ?? 'slot'
    if (mode === 'blockNumber') return String(ref.number)
    if (mode === 'blockHash') return ref.hash
    const { genesisTime, secondsPerSlot } = await this.slotParameters()
    if (ref.timestamp < genesisTime) {
      throw PipelineError.crit(
        'BEACON_SLOT_BEFORE_GENESIS',
        'L1 block is older than the beacon genesis: wrong beacon URL?',
        {
          timestamp: ref.timestamp,
          genesisTime,
        },
      )
    }
    return String(Math.floor((ref.timestamp - genesisTime) / secondsPerSlot))
  }

  async getBlobs(ref: L1BlockRef, hashes: readonly IndexedBlobHash[]): Promise<Uint8Array[]> {
    if (hashes.length === 0) return []
    const l1 = { number: ref.number, hash: ref.hash }
    try {
      const blockId = await this.blockIdOf(ref)
      const first = this.preferred
      try {
        return await this.fetchVia(first, blockId, hashes)
      } catch (err) {
        if (!isEndpointUnsupported(err)) throw err
        const other: BeaconBlobEndpoint = first === 'blobs' ? 'sidecars' : 'blobs'
        let blobs: Uint8Array[]
        try {
          blobs = await this.fetchVia(other, blockId, hashes)
        } catch (err2) {
          // Both endpoints missing the block: it is the block that is missing (or past retention).
          throw isEndpointUnsupported(err2) ? err : err2
        }
        if (!(err instanceof BeaconHttpError && err.status === 404)) {
          this.opts.logger?.info({ endpoint: other, err: errorMessage(err) }, 'beacon endpoint unsupported, switching')
          this.preferred = other
        }
        return blobs
      }
    } catch (err) {
      if (err instanceof PipelineError) throw err
      if (err instanceof BeaconHttpError && err.status === 404) {
        throw PipelineError.reset(
          'BLOB_NOT_FOUND',
          'beacon node has no blobs for this L1 block (past retention?)',
          { l1 },
          err,
        )
      }
      throw PipelineError.temp(
        'BEACON_UNAVAILABLE',
        `beacon blob fetch failed: ${errorMessage(err)}; check the beacon URL`,
        { l1 },
        err,
      )
    }
  }

  private fetchVia(endpoint: BeaconBlobEndpoint, blockId: string, hashes: readonly IndexedBlobHash[]) {
    return endpoint === 'blobs' ? this.viaBlobs(blockId, hashes) : this.viaSidecars(blockId, hashes)
  }

  private async viaBlobs(blockId: string, hashes: readonly IndexedBlobHash[]): Promise<Uint8Array[]> {
    const q = hashes.map((h) => h.hash).join(',')
    const res = await this.getJson<{ data: string[] }>(`/eth/v1/beacon/blobs/${blockId}?versioned_hashes=${q}`)
    // The answer carries no commitments: recompute each blob's commitment to learn which hash it belongs to.
    const byHash = new Map<string, Uint8Array>()
    for (const hex of res.data) {
      const blob = hexToBytes(hex)
      if (blob.length !== BLOB_SIZE) continue
      let commitment: Uint8Array
      try {
        commitment = this.kzg.blobToKzgCommitment(blob)
      } catch {
        continue // not a valid blob (a field element out of range): it matches no hash
      }
      byHash.set(kzgToVersionedHash(commitment).toLowerCase(), blob)
    }
    return hashes.map((h) => {
      const blob = byHash.get(h.hash.toLowerCase())
      if (!blob) throw this.missing(h, res.data.length)
      return blob
    })
  }

  private async viaSidecars(blockId: string, hashes: readonly IndexedBlobHash[]): Promise<Uint8Array[]> {
    const q = hashes.map((h) => h.index).join(',')
    const res = await this.getJson<{ data: Sidecar[] }>(`/eth/v1/beacon/blob_sidecars/${blockId}?indices=${q}`)
    const byIndex = new Map<number, Sidecar>()
    for (const s of res.data) byIndex.set(Number(s.index), s)
    return hashes.map((h) => {
      const s = byIndex.get(h.index)
      if (!s) throw this.missing(h, res.data.length)
      const blob = hexToBytes(s.blob)
      const commitment = hexToBytes(s.kzg_commitment)
      const got = kzgToVersionedHash(commitment)
      if (blob.length !== BLOB_SIZE || got.toLowerCase() !== h.hash.toLowerCase()) {
        throw this.mismatch(h, got)
      }
      if ((this.opts.verifyProofs ?? true) && !this.kzg.verifyBlobKzgProof(blob, commitment, hexToBytes(s.kzg_proof))) {
        throw this.mismatch(h, got, 'KZG proof does not verify')
      }
      return blob
    })
  }

  private missing(h: IndexedBlobHash, returned: number): PipelineError {
    // Nothing at all for a block that has blobs: pruned past retention (the contract's reset).
    if (returned === 0) {
      return PipelineError.reset('BLOB_NOT_FOUND', 'beacon node returned no blobs (past retention?)', {
        index: h.index,
        hash: h.hash,
      })
    }
    // Wrong or missing data from the beacon node: another try (or another beacon node) may have it.
    return PipelineError.temp('BLOB_MISSING', 'beacon node did not return a blob matching the versioned hash', {
      index: h.index,
      hash: h.hash,
      returned,
    })
  }

  private mismatch(h: IndexedBlobHash, got: Hash, why = 'commitment does not match the versioned hash'): PipelineError {
    return PipelineError.temp('BLOB_HASH_MISMATCH', `beacon blob ${h.index}: ${why}`, {
      index: h.index,
      hash: h.hash,
      got,
    })
  }
}
