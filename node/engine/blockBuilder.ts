import { createEVM, type EVM } from '@ethereumjs/evm'
import { Address, createAddressFromString } from '@ethereumjs/util'
import { keccak256 as keccak_256 } from '../../config/keccak.ts'
import { holoceneExtraDataFromAttributes, nextBaseFee } from '../../config/protocol/eip1559.ts'
import type { PayloadAttributes } from '../../derivation/attributes/attributesBuilder.ts'
import { DEPOSIT_TX_TYPE, type DepositTx, decodeDepositTx } from '../../derivation/protocol/depositTx.ts'
import { opPrecompiles, type PrecompileExtension } from '../../precompiles/registry.ts'
import { logsBloom, orInto } from './bloom.ts'
import { type ChainSpec, type CommonCache, forksAt, type OpForks, opEip1559Config } from './chainSpec.ts'
import { EngineError, InvalidPayloadError, InvalidTransactionError } from './errors.ts'
import { EMPTY_OMMERS_HASH, EMPTY_TRIE_ROOT, hashHeader } from './header.ts'
import {
  type BlockEnv,
  type L1CostFunction,
  type L1CostResult,
  OpTxProcessor,
  type TxHooks,
  type TxOutcome,
} from './opTxProcessor.ts'
import { encodeReceipt, orderedRoot } from './receipts.ts'
import type { SenderRecovery } from './senderRecovery.ts'
import { StateDB, type StateStore, type TrieRootCache } from './state/stateDB.ts'
import type { NodeSink } from './trie/merkleTrie.ts'
import { decodeSignedTx, type SignedTx } from './txCodec.ts'
import type { Block, BlockHeader, Receipt, TxEnvelope } from './types.ts'

/** Engine API payload attributes, OP-extended (opstack-spec §4.13, Appendix A): derivation builds them. */
export type { PayloadAttributes }

/** Reads the L1 fee parameters (from L1Block storage, after the block's deposits) and returns the fee function. */
export type L1CostProvider = (state: StateDB, forks: OpForks) => Promise<L1CostFunction>

export interface BuilderContext {
  spec: ChainSpec
  commons: CommonCache
  store: StateStore
  roots: TrieRootCache
  l1Cost: L1CostProvider
  recovery: SenderRecovery
  hooks?: TxHooks
  extensions?: readonly PrecompileExtension[]
  /** Hash of block `n` on the chain ending at `tip` (BLOCKHASH; `tip` is the executing block's parent). */
  blockHash(n: bigint, tip: { hash: Uint8Array; number: bigint }): Promise<Uint8Array | undefined>
}

export interface SealedBlock {
  block: Block
  receipts: Receipt[]
  /** New trie nodes and code to persist with the block. */
  nodes: [Uint8Array, Uint8Array][]
  code: [Uint8Array, Uint8Array][]
}

const SYSTEM_ADDRESS = createAddressFromString('0xfffffffffffffffffffffffffffffffffffffffe')
const BEACON_ROOTS = createAddressFromString('0x000F3df6D732807Ef1319fB7B8bB8522d0Beac02')
const ZERO32 = new Uint8Array(32)

/** Decodes a deposit (0x7E) transaction; a malformed one makes the payload invalid. */
function decodePayloadDeposit(raw: Uint8Array): DepositTx {
  try {
    return decodeDepositTx(raw)
  } catch (err) {
    throw new InvalidPayloadError(`malformed deposit transaction: ${(err as Error).message}`)
  }
}

/** An ethereumjs EVM over `state` with the OP precompile set of the fork active at `timestamp`. */
export async function createOpEvm(
  ctx: BuilderContext,
  state: StateDB,
  timestamp: bigint,
  tip: { hash: Uint8Array; number: bigint },
): Promise<EVM> {
  const forks = forksAt(ctx.spec, timestamp)
  const common = ctx.commons.at(timestamp)
  return createEVM({
    common,
    stateManager: state,
    customPrecompiles: opPrecompiles(common, { fjord: forks.fjord, granite: forks.granite }, ctx.extensions),
    blockchain: {
      getBlock: async (n: number | bigint) => {
        const h = await ctx.blockHash(BigInt(n), tip)
        return { hash: () => h ?? ZERO32 }
      },
      shallowCopy() {
        return this
      },
    } as never,
  })
}

/**
 * Builds one L2 block: deposits from the attributes, then pool txs (if allowed), then seals with one
 * state-root computation. Also used to re-execute a received payload (newPayload).
 */
export class BlockBuilder {
  private readonly receipts: Receipt[] = []
  private readonly txs: TxEnvelope[] = []
  private readonly bloom = new Uint8Array(256)
  private cumulativeGas = 0n
  private l1CostFn?: L1CostFunction
  private sealed = false

  private constructor(
    private readonly ctx: BuilderContext,
    readonly parent: BlockHeader,
    readonly parentHash: Uint8Array,
    readonly attrs: PayloadAttributes,
    readonly header: Omit<BlockHeader, 'stateRoot' | 'transactionsRoot' | 'receiptsRoot' | 'logsBloom' | 'gasUsed'>,
    readonly forks: OpForks,
    private readonly state: StateDB,
    private readonly processor: OpTxProcessor,
  ) {}

  static async start(ctx: BuilderContext, parent: BlockHeader, parentHash: Uint8Array, attrs: PayloadAttributes) {
    const spec = ctx.spec
    if (attrs.timestamp <= parent.timestamp) throw new InvalidPayloadError('timestamp not after parent')
    const forks = forksAt(spec, attrs.timestamp)
    const parentForks = forksAt(spec, parent.timestamp)
    const eip1559 = opEip1559Config(spec)
    const baseFee = nextBaseFee(eip1559, parent, parentForks.holocene && parent.number > 0n, forks.canyon)
    let extraData: Uint8Array = new Uint8Array(0)
    if (forks.holocene) {
      const p = attrs.eip1559Params
      if (p?.length !== 8) throw new InvalidPayloadError('holocene payload attributes need eip1559Params')
      extraData = holoceneExtraDataFromAttributes(p, eip1559)
    }
    const header = {
      parentHash,
      ommersHash: EMPTY_OMMERS_HASH,
      coinbase: attrs.suggestedFeeRecipient,
      difficulty: 0n,
      number: parent.number + 1n,
      gasLimit: attrs.gasLimit,
      timestamp: attrs.timestamp,
      extraData,
      mixHash: attrs.prevRandao,
      nonce: new Uint8Array(8),
      baseFeePerGas: baseFee,
      ...(forks.canyon ? { withdrawalsRoot: EMPTY_TRIE_ROOT } : {}),
      ...(forks.ecotone
        ? { blobGasUsed: 0n, excessBlobGas: 0n, parentBeaconBlockRoot: attrs.parentBeaconBlockRoot ?? ZERO32 }
        : {}),
    }
    const state = new StateDB(ctx.store, parent.stateRoot, ctx.roots)
    const evm = await createOpEvm(ctx, state, attrs.timestamp, { hash: parentHash, number: parent.number })
    const env: BlockEnv = {
      number: header.number,
      timestamp: attrs.timestamp,
      coinbase: new Address(attrs.suggestedFeeRecipient),
      gasLimit: attrs.gasLimit,
      baseFee,
      prevRandao: attrs.prevRandao,
      forks,
    }
    const b = new BlockBuilder(
      ctx,
      parent,
      parentHash,
      attrs,
      header,
      forks,
      state,
      new OpTxProcessor(state, evm, env, ctx.hooks),
    )
    if (forks.ecotone) await b.beaconRootSystemCall(evm, header.parentBeaconBlockRoot as Uint8Array)
    return b
  }

  /** EIP-4788: store the parent beacon root in the beacon-roots contract before any tx (Cancun system call). */
  private async beaconRootSystemCall(evm: EVM, root: Uint8Array): Promise<void> {
    const code = await this.state.getCode(BEACON_ROOTS)
    if (code.length === 0) return
    evm.journal.cleanJournal()
    await evm.journal.checkpoint()
    await evm.runCall({
      caller: SYSTEM_ADDRESS,
      to: BEACON_ROOTS,
      gasLimit: 30_000_000n,
      data: root,
      skipNonceIncrement: true,
      block: {
        header: {
          number: this.header.number,
          coinbase: new Address(this.header.coinbase),
          timestamp: this.header.timestamp,
          difficulty: 0n,
          prevRandao: this.header.mixHash,
          gasLimit: this.header.gasLimit,
          baseFeePerGas: this.header.baseFeePerGas,
          getBlobGasPrice: () => 1n,
        },
      },
    })
    await evm.journal.cleanup()
    await evm.journal.commit()
  }

  get gasUsed(): bigint {
    return this.cumulativeGas
  }

  get transactionCount(): number {
    return this.txs.length
  }

  private record(envelope: TxEnvelope, outcome: TxOutcome, isDeposit: boolean, l1?: L1CostResult): Receipt {
    this.cumulativeGas += outcome.gasUsed
    const bloom = logsBloom(outcome.logs)
    orInto(this.bloom, bloom)
    const r: Receipt = {
      type: envelope.type,
      status: outcome.status,
      cumulativeGasUsed: this.cumulativeGas,
      logsBloom: bloom,
      logs: outcome.logs,
      gasUsed: outcome.gasUsed,
      effectiveGasPrice: outcome.effectiveGasPrice,
      ...(outcome.contractAddress ? { contractAddress: outcome.contractAddress } : {}),
    }
    if (isDeposit) {
      r.depositNonce = outcome.depositNonce
      if (this.forks.canyon) r.depositReceiptVersion = 1n
    } else {
      r.l1Fee = outcome.l1Fee
      r.l1GasUsed = outcome.l1GasUsed
      if (l1?.l1GasPrice !== undefined) r.l1GasPrice = l1.l1GasPrice
      if (l1?.l1BlobBaseFee !== undefined) r.l1BlobBaseFee = l1.l1BlobBaseFee
      if (l1?.l1BaseFeeScalar !== undefined) r.l1BaseFeeScalar = l1.l1BaseFeeScalar
      if (l1?.l1BlobBaseFeeScalar !== undefined) r.l1BlobBaseFeeScalar = l1.l1BlobBaseFeeScalar
    }
    this.receipts.push(r)
    this.txs.push(envelope)
    return r
  }

  /** Applies a deposit transaction (raw 0x7E bytes). */
  async addDeposit(raw: Uint8Array): Promise<Receipt> {
    if (this.l1CostFn) throw new InvalidPayloadError('deposit after a non-deposit transaction')
    const d = decodePayloadDeposit(raw)
    const hash = keccak_256(raw)
    const outcome = await this.processor.applyDeposit(d, hash, this.header.gasLimit - this.cumulativeGas)
    return this.record({ raw, hash, type: DEPOSIT_TX_TYPE, from: d.from }, outcome, true)
  }

  /**
   * Applies a signed transaction whose sender is already recovered. Throws InvalidTransactionError (state
   * unchanged) when it cannot be included; the sequencer then skips it.
   */
  async addTransaction(tx: SignedTx, sender: Uint8Array): Promise<Receipt> {
    if (this.txs.length === 0) throw new InvalidPayloadError('the first transaction must be the L1 info deposit')
    if (!this.l1CostFn) this.l1CostFn = await this.ctx.l1Cost(this.state, this.forks)
    const l1 = this.l1CostFn(tx.raw)
    const outcome = await this.processor.applyTransaction(tx, sender, this.header.gasLimit - this.cumulativeGas, l1)
    return this.record({ raw: tx.raw, hash: tx.hash, type: tx.type, from: sender }, outcome, false, l1)
  }

  /** Decodes signed txs and recovers their senders (in parallel); invalid ones come back as errors. */
  async decodeAndRecover(
    raws: readonly Uint8Array[],
    opts: { background?: boolean } = {},
  ): Promise<({ tx: SignedTx; sender: Uint8Array } | InvalidTransactionError)[]> {
    const decoded: (SignedTx | InvalidTransactionError)[] = raws.map((raw) => {
      if (raw[0] === DEPOSIT_TX_TYPE)
        return new InvalidTransactionError('deposit transactions cannot come from the pool')
      try {
        return decodeSignedTx(raw, this.ctx.spec.chainId)
      } catch (err) {
        if (err instanceof InvalidTransactionError) return err
        throw err
      }
    })
    const valid = decoded.filter((d): d is SignedTx => !(d instanceof InvalidTransactionError))
    const senders = await this.ctx.recovery.recover(valid, opts)
    let k = 0
    return decoded.map((d) => {
      if (d instanceof InvalidTransactionError) return d
      const sender = senders[k++]
      return sender ? { tx: d, sender } : new InvalidTransactionError('invalid signature', { raw: d.raw })
    })
  }

  /** Applies the attributes' forced transactions: deposits, then any sequencer txs a batch carries. */
  async applyAttributesTransactions(): Promise<void> {
    const raws = this.attrs.transactions
    let i = 0
    while (i < raws.length && raws[i]?.[0] === DEPOSIT_TX_TYPE) await this.addDeposit(raws[i++] as Uint8Array)
    if (i === raws.length) return
    const rest = await this.decodeAndRecover(raws.slice(i))
    for (const r of rest) {
      if (r instanceof InvalidTransactionError)
        throw new InvalidPayloadError(`invalid transaction in payload: ${r.reason}`)
      await this.addTransaction(r.tx, r.sender)
    }
  }

  /** Computes the roots and the block hash; returns the block and what must be persisted with it. */
  async seal(): Promise<SealedBlock> {
    if (this.sealed) throw new EngineError('block already sealed')
    this.sealed = true
    const nodes: [Uint8Array, Uint8Array][] = []
    const sink: NodeSink = (h, rlp) => {
      nodes.push([h, rlp])
    }
    await this.processor.flushFees()
    const { stateRoot, code } = await this.state.commitToStore(sink)
    const transactionsRoot = await orderedRoot(this.txs.map((t) => t.raw))
    const receiptsRoot = await orderedRoot(this.receipts.map((r) => encodeReceipt(r, this.forks.canyon)))
    const header: BlockHeader = {
      ...this.header,
      stateRoot,
      transactionsRoot,
      receiptsRoot,
      logsBloom: this.bloom,
      gasUsed: this.cumulativeGas,
    }
    return { block: { header, hash: hashHeader(header), transactions: this.txs }, receipts: this.receipts, nodes, code }
  }

  /** The builder's state, for the L1-info reads of tests and for hooks. */
  get stateDB(): StateDB {
    return this.state
  }
}
