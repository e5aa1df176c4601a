import {
  concatHex,
  createPublicClient,
  fromRlp,
  type Hex,
  http,
  type Kzg,
  keccak256,
  type PublicClient,
  type TransactionSerializable,
  toHex,
  toRlp,
} from 'viem'
import { type PrivateKeyAccount, privateKeyToAccount } from 'viem/accounts'
import { errorMessage } from '../../config/errors.ts'
import { type Logger, silentLogger } from '../../config/logger.ts'
import type { TxCandidate } from '../batcher/daWriter.ts'
import { TxManagerError } from './errors.ts'
import { bumpFees, initialFees, type TxFees } from './feeBump.ts'
import { Semaphore } from './semaphore.ts'

// Sends the batcher's L1 transactions (op-service txmgr): one local nonce counter (re-read from the pending nonce
// after any error), EIP-1559 fees from the latest L1 block, type-3 blob txs with an injected KZG, a same-nonce
// replacement with bumped fees when a tx is not mined within `resubmissionTimeoutMs`, `confirmations` blocks of
// depth before success, and a re-send when the receipt's block is reorged out. At most `maxInFlight` txs pending.

export interface TxManagerOptions {
  l1RpcUrl: string
  privateKey: Hex
  l1ChainId: number
  /** Blocks on top of the inclusion block, counting it (default 1). */
  confirmations?: number
  /** Replace the tx with higher fees when it is not mined after this long (default 48 s, op-batcher's). */
  resubmissionTimeoutMs?: number
  /** Receipt polling interval (default 1 s). */
  pollIntervalMs?: number
  /** Txs pending at once (default 8). */
  maxInFlight?: number
  /** Lowest priority fee offered (default 1 gwei). */
  minTipWei?: bigint
  /** A viem KZG implementation; required for blob txs. */
  kzg?: Kzg
  logger?: Logger
}

export interface SendResult {
  txHash: Hex
  blockNumber: number
  blockHash: Hex
  /** Signed versions sent (1 = never replaced). */
  attempts: number
  fees: TxFees
}

interface RpcReceipt {
  blockNumber: Hex
  blockHash: Hex
  transactionHash: Hex
  status: Hex
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))

export class TxManager {
  readonly address: Hex
  private readonly opts: Required<Omit<TxManagerOptions, 'kzg' | 'logger'>> & { kzg: Kzg | undefined }
  private readonly client: PublicClient
  private readonly account: PrivateKeyAccount
  private readonly log: Logger
  private readonly slots: Semaphore
  private nonce: number | undefined
  private nonceChain: Promise<unknown> = Promise.resolve()
  private closed = false

  constructor(opts: TxManagerOptions) {
    this.opts = {
      l1RpcUrl: opts.l1RpcUrl,
      privateKey: opts.privateKey,
      l1ChainId: opts.l1ChainId,
      confirmations: opts.confirmations ?? 1,
      resubmissionTimeoutMs: opts.resubmissionTimeoutMs ?? 48_000,
      pollIntervalMs: opts.pollIntervalMs ?? 1000,
      maxInFlight: opts.maxInFlight ?? 8,
      minTipWei: opts.minTipWei ?? 1_000_000_000n,
      kzg: opts.kzg,
    }
    this.client = createPublicClient({ transport: http(opts.l1RpcUrl, { retryCount: 0 }) }) as PublicClient
    this.account = privateKeyToAccount(opts.privateKey)
    this.address = this.account.address
    this.log = (opts.logger ?? silentLogger()).child({ module: 'txmgr' })
    this.slots = new Semaphore(this.opts.maxInFlight)
  }

  /** Txs sent and not yet confirmed. */
  get inFlight(): number {
    return this.slots.inFlight
  }

  async l1HeadNumber(): Promise<number> {
    return Number(await this.client.getBlockNumber({ cacheTime: 0 }))
  }

  /** Stop: pending sends end with TXMGR_CLOSED (their txs may still be mined; the batcher resumes from L2 safe). */
  close(): void {
    this.closed = true
  }

  /** Send `c` and resolve once it has `confirmations` blocks on L1. Throws TxManagerError when it was not posted. */
  async send(c: TxCandidate): Promise<SendResult> {
    if (c.blobs && c.blobs.length > 0 && !this.opts.kzg) {
      throw new TxManagerError('TXMGR_NO_KZG', 'blob txs need a KZG implementation: pass `kzg` to the TxManager')
    }
    // Nonces are taken in call order, before waiting for a slot, so txs go out in the order the batcher made them.
    const nonce = await this.allocNonce()
    try {
      return await this.slots.run(() => this.sendWithNonce(c, nonce))
    } catch (err) {
      // The nonce may not have been used: re-read it, so the next tx fills any gap.
      this.resyncNonce()
      if (err instanceof TxManagerError) throw err
      throw new TxManagerError(
        'TXMGR_SEND_FAILED',
        `could not send the batcher tx: ${errorMessage(err)}`,
        { nonce },
        {
          cause: err,
        },
      )
    }
  }

  /** Current fees the L1 asks for. */
  async suggestFees(blob: boolean): Promise<TxFees> {
    const [block, tipHex] = await Promise.all([
      this.client.getBlock({ blockTag: 'latest' }),
      this.client.request({ method: 'eth_maxPriorityFeePerGas' }).catch(() => '0x0' as Hex),
    ])
    const tip = BigInt(tipHex) > this.opts.minTipWei ? BigInt(tipHex) : this.opts.minTipWei
    const blobBase = blob ? await this.client.getBlobBaseFee() : undefined
    return initialFees(block.baseFeePerGas ?? 0n, tip, blobBase)
  }

  private allocNonce(): Promise<number> {
    const p = this.nonceChain.then(async () => {
      if (this.nonce === undefined) {
        this.nonce = await this.client.getTransactionCount({ address: this.address, blockTag: 'pending' })
      }
      return this.nonce++
    })
    this.nonceChain = p.catch(() => undefined)
    return p
  }

  private resyncNonce(): void {
    this.nonceChain = this.nonceChain.then(() => {
      this.nonce = undefined
    })
  }

  private async sendWithNonce(c: TxCandidate, nonce: number): Promise<SendResult> {
    const blob = c.blobs !== undefined && c.blobs.length > 0
    let fees = await this.suggestFees(blob)
    const gas = blob ? 21_000n : await this.client.estimateGas({ account: this.address, to: c.to, data: toHex(c.data) })
    const hashes: Hex[] = []
    let attempts = 0
    let needSend = true
    let sentAt = 0
    for (;;) {
      if (this.closed) throw new TxManagerError('TXMGR_CLOSED', 'tx manager closed while the tx was pending', { nonce })
      if (needSend) {
        const raw = await this.sign(c, nonce, gas, fees)
        attempts++
        const localHash = txHashOfRaw(raw)
        try {
          const hash = await this.client.request({ method: 'eth_sendRawTransaction', params: [raw] })
          hashes.push(hash)
          this.log.debug({ txHash: hash, nonce, attempt: attempts, tip: fees.tip, feeCap: fees.feeCap }, 'Tx sent')
        } catch (err) {
          const msg = errorMessage(err).toLowerCase()
          if (isTransportError(err)) {
            // No answer (timeout, connection dropped): the tx may well be in the pool or mined. Watch its hash —
            // treating it as rejected would post the same frames again under a new nonce.
            hashes.push(localHash)
            this.log.warn({ txHash: localHash, nonce, err: errorMessage(err) }, 'Send outcome unknown; watching the tx')
          } else if (msg.includes('already known')) {
            hashes.push(localHash)
            // the same signed tx is in the pool; keep waiting for it
          } else if (msg.includes('underpriced')) {
            // a replacement not yet good enough for the pool: bump again on the next round
          } else if (msg.includes('nonce too low')) {
            if (!(await this.findReceipt(hashes))) {
              this.resyncNonce()
              throw new TxManagerError(
                'TXMGR_NONCE_CONSUMED',
                'nonce already used by another tx; send the data again',
                {
                  nonce,
                },
              )
            }
          } else {
            this.resyncNonce()
            throw new TxManagerError('TXMGR_SEND_FAILED', `L1 rejected the batcher tx: ${errorMessage(err)}`, { nonce })
          }
        }
        needSend = false
        sentAt = Date.now()
      }
      try {
        const outcome = await this.poll(hashes, sentAt, blob, fees)
        if (outcome.kind === 'confirmed') return { ...outcome.result, attempts, fees }
        if (outcome.kind === 'resend') {
          fees = outcome.fees
          needSend = true
          continue
        }
      } catch (err) {
        if (err instanceof TxManagerError) throw err
        // An L1 RPC hiccup while polling: the tx may be on its way, so keep waiting rather than fail it.
        this.log.warn({ err: errorMessage(err), nonce }, 'L1 RPC error while waiting for a batcher tx')
      }
      await sleep(this.opts.pollIntervalMs)
    }
  }

  /** One look at L1: confirmed, needs a (re)send with new fees, or keep waiting. */
  private async poll(
    hashes: readonly Hex[],
    sentAt: number,
    blob: boolean,
    fees: TxFees,
  ): Promise<
    | { kind: 'confirmed'; result: { txHash: Hex; blockNumber: number; blockHash: Hex } }
    | { kind: 'resend'; fees: TxFees }
    | { kind: 'wait' }
  > {
    {
      const receipt = await this.findReceipt(hashes)
      if (receipt) {
        const confirmed = await this.waitConfirmed(receipt)
        if (confirmed) {
          return {
            kind: 'confirmed',
            result: {
              txHash: receipt.transactionHash,
              blockNumber: Number(BigInt(receipt.blockNumber)),
              blockHash: receipt.blockHash,
            },
          }
        }
        // Its block left the canonical chain: put the tx back in the pool (fees re-read) and wait again.
        this.log.warn(
          { txHash: receipt.transactionHash, l1: Number(BigInt(receipt.blockNumber)) },
          'Batcher tx reorged out',
        )
        return { kind: 'resend', fees: bumpFees(fees, await this.suggestFees(blob)) }
      }
      if (Date.now() - sentAt >= this.opts.resubmissionTimeoutMs) {
        const bumped = bumpFees(fees, await this.suggestFees(blob))
        this.log.info({ tip: bumped.tip, feeCap: bumped.feeCap }, 'Tx not mined, bumping fees')
        return { kind: 'resend', fees: bumped }
      }
      return { kind: 'wait' }
    }
  }

  private async sign(c: TxCandidate, nonce: number, gas: bigint, fees: TxFees): Promise<Hex> {
    const base = {
      chainId: this.opts.l1ChainId,
      nonce,
      to: c.to,
      gas,
      maxFeePerGas: fees.feeCap,
      maxPriorityFeePerGas: fees.tip,
    }
    if (c.blobs && c.blobs.length > 0) {
      const tx = {
        ...base,
        type: 'eip4844',
        blobs: c.blobs.map((b) => toHex(b)),
        kzg: this.opts.kzg,
        maxFeePerBlobGas: fees.blobFeeCap ?? 1n,
      } as unknown as TransactionSerializable
      return this.account.signTransaction(tx)
    }
    return this.account.signTransaction({ ...base, type: 'eip1559', data: toHex(c.data) })
  }

  private async findReceipt(hashes: readonly Hex[]): Promise<RpcReceipt | undefined> {
    for (const h of hashes) {
      const r = (await this.client.request({
        method: 'eth_getTransactionReceipt',
        params: [h],
      })) as RpcReceipt | null
      if (r) return r
    }
    return undefined
  }

  /** Waits for `confirmations` blocks; false when the receipt's block is no longer canonical. */
  private async waitConfirmed(r: RpcReceipt): Promise<boolean> {
    const n = BigInt(r.blockNumber)
    for (;;) {
      if (this.closed) throw new TxManagerError('TXMGR_CLOSED', 'tx manager closed while the tx was pending')
      const head = await this.client.getBlockNumber({ cacheTime: 0 })
      const block = await this.client.getBlock({ blockNumber: n }).catch(() => undefined)
      if (!block || block.hash !== r.blockHash) return false
      if (head >= n + BigInt(this.opts.confirmations) - 1n) return true
      await sleep(this.opts.pollIntervalMs)
    }
  }
}

/** The L1 hash of a signed tx: keccak of the envelope; for a blob tx in network form, of the tx without its sidecar. */
export function txHashOfRaw(raw: Hex): Hex {
  if (raw.startsWith('0x03')) {
    const outer = fromRlp(`0x${raw.slice(4)}`, 'hex')
    // network form: rlp([tx_payload_body, blobs, commitments, proofs]); plain form: rlp(tx_payload_body)
    if (Array.isArray(outer) && Array.isArray(outer[0])) return keccak256(concatHex(['0x03', toRlp(outer[0] as never)]))
  }
  return keccak256(raw)
}

/** viem transport failures (no JSON-RPC answer), as opposed to the node rejecting the tx. */
function isTransportError(err: unknown): boolean {
  for (let e: unknown = err; e; e = (e as { cause?: unknown }).cause) {
    const name = (e as { name?: string }).name
    if (name === 'TimeoutError' || name === 'HttpRequestError' || name === 'SocketClosedError') return true
  }
  return false
}
