import type { PublicClient } from 'viem'
import type { Logger } from '../../config/logger.ts'
import { PREDEPLOYS } from '../../config/protocol/addresses.ts'
import type { RollupConfig } from '../../config/rollupConfig.ts'
import { decodeDepositTx, encodeDepositTx } from '../../derivation/protocol/depositTx.ts'
import {
  BLOB_BASE_FEE_UPDATE_FRACTION_PRAGUE,
  buildL1BlockInfo,
  decodeL1Info,
  l1InfoDepositTx,
} from '../../derivation/protocol/l1Info.ts'
import type { ExecutionEngine } from '../engine/engine.ts'
import type { Block } from '../engine/types.ts'
import type { TxPool } from '../txpool/txPool.ts'

// A single-node chain: builds an L2 block every block_time on the embedded engine, with the L1 attributes
// deposit of a real L1 origin (anvil) chosen like op-node's origin selector (advance when the next L1 block is
// old enough; stay within max_sequencer_drift), and pool transactions. It has no batcher and reads no L1
// deposits: that is the sequencer/devnet (issue 4), which replaces this loop.

const hexb = (h: string) => Buffer.from(h.replace(/^0x/, ''), 'hex')

/** What the dev chain needs of an L1 block. */
interface L1Origin {
  number: bigint
  timestamp: bigint
  baseFeePerGas: bigint
  excessBlobGas?: bigint
  hash: Uint8Array
  mixHash: Uint8Array
  parentBeaconBlockRoot?: Uint8Array
}

export interface DevChainOptions {
  engine: ExecutionEngine
  pool: TxPool
  l1: PublicClient
  rollup: RollupConfig
  log: Logger
}

export class DevChain {
  private timer?: NodeJS.Timeout
  private running = false
  private stopped = false
  private readonly origins = new Map<bigint, L1Origin>()
  private building?: Promise<void>

  constructor(private readonly o: DevChainOptions) {}

  private async l1Block(n: bigint): Promise<L1Origin | undefined> {
    const hit = this.origins.get(n)
    if (hit) return hit
    const b = await this.o.l1.getBlock({ blockNumber: n }).catch(() => undefined)
    if (!b) return undefined
    const origin: L1Origin = {
      number: n,
      timestamp: b.timestamp,
      baseFeePerGas: b.baseFeePerGas ?? 0n,
      ...(b.excessBlobGas !== undefined && b.excessBlobGas !== null ? { excessBlobGas: b.excessBlobGas } : {}),
      hash: hexb(b.hash as string),
      mixHash: hexb(b.mixHash),
      ...(b.parentBeaconBlockRoot ? { parentBeaconBlockRoot: hexb(b.parentBeaconBlockRoot) } : {}),
    }
    this.origins.set(n, origin)
    if (this.origins.size > 256) this.origins.delete(this.origins.keys().next().value as bigint)
    return origin
  }

  /** The L1 origin and sequence number of an L2 block, from its L1-info deposit (genesis: rollup.genesis.l1). */
  private parentOrigin(parent: Block): { number: bigint; seq: bigint } {
    if (parent.header.number === 0n) return { number: BigInt(this.o.rollup.genesis.l1.number), seq: 0n }
    const raw = parent.transactions[0]?.raw
    if (!raw) throw new Error('dev chain: parent block has no L1 info deposit')
    const info = decodeL1Info(decodeDepositTx(raw).data)
    return { number: info.number, seq: info.sequenceNumber }
  }

  /** The Ecotone L1-attributes of a block on `origin` (the rollup's genesis system config: no L1 updates yet). */
  private l1Info(origin: L1Origin, seq: bigint) {
    const sc = this.o.rollup.genesis.system_config
    return buildL1BlockInfo(
      'ecotone',
      origin,
      seq,
      { batcherAddr: hexb(sc.batcherAddr), overhead: hexb(sc.overhead), scalar: hexb(sc.scalar) },
      BLOB_BASE_FEE_UPDATE_FRACTION_PRAGUE,
    )
  }

  /** Builds the next block now. */
  async step(): Promise<Block> {
    const { engine, rollup } = this.o
    const parent = engine.head.unsafe
    const ts = parent.header.timestamp + BigInt(rollup.block_time)
    const prev = this.parentOrigin(parent)
    let origin = await this.l1Block(prev.number)
    if (!origin) throw new Error(`dev chain: L1 block ${prev.number} not found: was the L1 reset?`)
    let seq = prev.seq + 1n
    const next = await this.l1Block(prev.number + 1n)
    const drift = BigInt(
      rollup.fjord_time !== undefined && ts >= BigInt(rollup.fjord_time) ? 1800 : rollup.max_sequencer_drift,
    )
    if (next && ts >= next.timestamp) {
      origin = next
      seq = 0n
    }
    const pastDrift = ts > origin.timestamp + drift
    const attrs = {
      timestamp: ts,
      prevRandao: origin.mixHash,
      suggestedFeeRecipient: hexb(PREDEPLOYS.SequencerFeeVault),
      parentBeaconBlockRoot: origin.parentBeaconBlockRoot ?? new Uint8Array(32),
      transactions: [encodeDepositTx(l1InfoDepositTx(this.l1Info(origin, seq), true))],
      noTxPool: pastDrift,
      gasLimit: BigInt(rollup.genesis.system_config.gasLimit),
    }
    const block = await engine.buildBlock(attrs)
    await this.o.pool.onNewHead()
    this.o.log.info(
      {
        l2: { number: Number(block.header.number), hash: `0x${Buffer.from(block.hash).toString('hex')}` },
        l1: Number(origin.number),
        txs: block.transactions.length - 1,
      },
      'Sequenced block',
    )
    return block
  }

  /** Builds blocks on the L2 clock (timestamp = parent + block_time, never ahead of wall time). */
  start(): void {
    if (this.running) return
    this.running = true
    const tick = async () => {
      if (this.stopped) return
      const parentTs = this.o.engine.head.unsafe.header.timestamp
      const due = Number(parentTs + BigInt(this.o.rollup.block_time)) * 1000
      const wait = due - Date.now()
      if (wait <= 0) {
        this.building = this.step()
          .then(() => undefined)
          .catch((err) => this.o.log.error({ err }, 'Block production failed'))
        await this.building
      }
      if (!this.stopped) {
        const nextDue = Number(this.o.engine.head.unsafe.header.timestamp + BigInt(this.o.rollup.block_time)) * 1000
        this.timer = setTimeout(tick, Math.max(0, Math.min(nextDue - Date.now(), 1000)))
      }
    }
    void tick()
  }

  async stop(): Promise<void> {
    this.stopped = true
    if (this.timer) clearTimeout(this.timer)
    await this.building
  }
}
