// Shared test helpers for the batch-submission codec tests: fixture loading, a seeded PRNG, and random signed
// transactions of every span-batch type built with @ethereumjs/tx (test-only dependency of the codecs).
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createCustomCommon, Hardfork, Mainnet } from '@ethereumjs/common'
import {
  createAccessList2930Tx,
  createEOACode7702Tx,
  createFeeMarket1559Tx,
  createLegacyTx,
  createTxFromRLP,
} from '@ethereumjs/tx'
import type { SingularBatch } from '../../../derivation/protocol/singularBatch.ts'

const here = dirname(fileURLToPath(import.meta.url))
export const FIXTURES = join(here, '..', '..', 'fixtures', 'opstack')

export function fixture(path: string): Uint8Array {
  const b = readFileSync(join(FIXTURES, path))
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength)
}

export function fixtureJson<T = unknown>(path: string): T {
  return JSON.parse(readFileSync(join(FIXTURES, path), 'utf8')) as T
}

export function hex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex')
}

export function fromHex(h: string): Uint8Array {
  const s = h.startsWith('0x') ? h.slice(2) : h
  return new Uint8Array(Buffer.from(s.replace(/\s+/g, ''), 'hex'))
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  let n = 0
  for (const p of parts) n += p.length
  const out = new Uint8Array(n)
  let o = 0
  for (const p of parts) {
    out.set(p, o)
    o += p.length
  }
  return out
}

/** OP Mainnet constants used by expected.json. */
export const OP_MAINNET = { genesisL2Time: 1686068903, genesisL2Block: 105235063, blockTime: 2, chainId: 10 }

/** The L1 batcher transaction's calldata (the data item), extracted with @ethereumjs/tx. */
export function opMainnetBatcherCalldata(): Uint8Array {
  const common = createCustomCommon({ chainId: 1 }, Mainnet, { hardfork: Hardfork.Cancun })
  const tx = createTxFromRLP(fixture('batcher/op-mainnet-batcher-tx.bin'), { common })
  return tx.data
}

export function opMainnetSpanChannel(): Uint8Array {
  return fromHex(readFileSync(join(FIXTURES, 'batcher/op-mainnet-span-batch-channel.zlib.hex'), 'utf8'))
}

/** Deterministic PRNG (mulberry32). */
export class Rng {
  private s: number
  constructor(seed: number) {
    this.s = seed >>> 0
  }
  u32(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0
    let t = this.s
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return (t ^ (t >>> 14)) >>> 0
  }
  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor((this.u32() / 0x100000000) * n)
  }
  bool(): boolean {
    return (this.u32() & 1) === 1
  }
  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n)
    for (let i = 0; i < n; i++) out[i] = this.u32() & 0xff
    return out
  }
  /** Random u64 with a random bit width, so small and large values both occur. */
  u64(): bigint {
    const bits = this.int(65)
    if (bits === 0) return 0n
    let v = (BigInt(this.u32()) << 32n) | BigInt(this.u32())
    v &= (1n << BigInt(bits)) - 1n
    return v
  }
  /** Random uint256-ish value of random width. */
  u256(maxBits = 256): bigint {
    const bits = this.int(maxBits + 1)
    let v = 0n
    for (let i = 0; i < 8; i++) v = (v << 32n) | BigInt(this.u32())
    return bits === 0 ? 0n : v & ((1n << BigInt(bits)) - 1n)
  }
}

const commons = new Map<string, ReturnType<typeof createCustomCommon>>()
export function commonFor(chainId: bigint, hardfork: string = Hardfork.Prague) {
  const key = `${chainId}:${hardfork}`
  let c = commons.get(key)
  if (!c) {
    c = createCustomCommon({ chainId: Number(chainId) }, Mainnet, { hardfork })
    commons.set(key, c)
  }
  return c
}

export type TxKind = 'legacy-protected' | 'legacy-unprotected' | 'access-list' | 'dynamic-fee' | 'set-code'
export const ALL_TX_KINDS: TxKind[] = [
  'legacy-protected',
  'legacy-unprotected',
  'access-list',
  'dynamic-fee',
  'set-code',
]

const KEY = new Uint8Array(32).fill(0x11)
KEY[31] = 0x01

function randomAccessList(rng: Rng): [Uint8Array, Uint8Array[]][] {
  const n = rng.int(3)
  const out: [Uint8Array, Uint8Array[]][] = []
  for (let i = 0; i < n; i++) {
    const keys: Uint8Array[] = []
    const k = rng.int(3)
    for (let j = 0; j < k; j++) keys.push(rng.bytes(32))
    out.push([rng.bytes(20), keys])
  }
  return out
}

/** A random signed transaction of the given kind, as EIP-2718 bytes. */
export function randomSignedTx(rng: Rng, kind: TxKind, chainId: bigint, creation = rng.int(8) === 0): Uint8Array {
  const to = kind === 'set-code' || !creation ? rng.bytes(20) : undefined
  const base = {
    nonce: rng.u64(),
    gasLimit: rng.u64(),
    value: rng.u256(),
    data: rng.bytes(rng.int(80)),
    ...(to ? { to } : {}),
  }
  switch (kind) {
    case 'legacy-protected':
      return createLegacyTx({ ...base, gasPrice: rng.u256(64) }, { common: commonFor(chainId) })
        .sign(KEY)
        .serialize()
    case 'legacy-unprotected':
      return createLegacyTx({ ...base, gasPrice: rng.u256(64) }, { common: commonFor(chainId, Hardfork.Homestead) })
        .sign(KEY)
        .serialize()
    case 'access-list':
      return createAccessList2930Tx(
        { ...base, chainId, gasPrice: rng.u256(64), accessList: randomAccessList(rng) },
        { common: commonFor(chainId) },
      )
        .sign(KEY)
        .serialize()
    case 'dynamic-fee': {
      const maxFeePerGas = rng.u256(64)
      return createFeeMarket1559Tx(
        {
          ...base,
          chainId,
          maxFeePerGas,
          maxPriorityFeePerGas: maxFeePerGas === 0n ? 0n : maxFeePerGas / BigInt(1 + rng.int(4)),
          accessList: randomAccessList(rng),
        },
        { common: commonFor(chainId) },
      )
        .sign(KEY)
        .serialize()
    }
    case 'set-code': {
      const maxFeePerGas = rng.u256(64)
      const auth: [Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array][] = []
      for (let i = 0; i < 1 + rng.int(2); i++) {
        auth.push([
          minimal(rng.u256(64)),
          rng.bytes(20),
          minimal(rng.u64()),
          minimal(BigInt(rng.int(2))),
          minimal(rng.u256()),
          minimal(rng.u256()),
        ])
      }
      return createEOACode7702Tx(
        {
          ...base,
          chainId,
          maxFeePerGas,
          maxPriorityFeePerGas: maxFeePerGas / 2n,
          accessList: randomAccessList(rng),
          authorizationList: auth,
        },
        { common: commonFor(chainId) },
      )
        .sign(KEY)
        .serialize()
    }
  }
}

/** Minimal big-endian bytes of a non-negative integer (empty for zero). */
export function minimal(v: bigint): Uint8Array {
  if (v === 0n) return new Uint8Array(0)
  let h = v.toString(16)
  if (h.length % 2) h = `0${h}`
  return fromHex(h)
}

export interface RandomBatchesOptions {
  blocks: number
  chainId: bigint
  kinds: TxKind[]
  maxTxs?: number
  genesisTimestamp?: bigint
  blockTime?: bigint
}

/**
 * Consecutive singular batches as a batcher would see them: timestamps advance by block time, the epoch advances
 * by 0 or 1 per block. The first block starts a new epoch (sequence number 0).
 */
export function randomSingularBatches(rng: Rng, o: RandomBatchesOptions): SingularBatch[] {
  const genesis = o.genesisTimestamp ?? 1_700_000_000n
  const blockTime = o.blockTime ?? 2n
  let ts = genesis + BigInt(rng.int(1_000_000)) * blockTime
  let epoch = BigInt(1_000_000 + rng.int(1_000_000))
  let epochHash = rng.bytes(32)
  const out: SingularBatch[] = []
  for (let i = 0; i < o.blocks; i++) {
    if (i > 0 && rng.int(3) === 0) {
      epoch++
      epochHash = rng.bytes(32)
    }
    const txs: Uint8Array[] = []
    const n = rng.int((o.maxTxs ?? 4) + 1)
    for (let j = 0; j < n; j++) txs.push(randomSignedTx(rng, o.kinds[rng.int(o.kinds.length)]!, o.chainId))
    out.push({ parentHash: rng.bytes(32), epochNum: epoch, epochHash, timestamp: ts, transactions: txs })
    ts += blockTime
  }
  return out
}
