import { bytesToHex, hexToBytes, uintToBytes } from '../../config/bytes.ts'
import type { Address, Hash } from '../../config/types.ts'
import type { DepositLogLike } from '../../derivation/protocol/depositLog.ts'
import { DEPOSIT_EVENT_TOPIC } from '../../derivation/protocol/depositLog.ts'
import { CONFIG_UPDATE_EVENT_TOPIC, type SystemConfig } from '../../derivation/protocol/systemConfig.ts'

// Builders for ConfigUpdate and TransactionDeposited logs used by the SystemConfig, traversal and attributes tests.

export const SYS_CFG_ADDR: Address = '0x5555555555555555555555555555555555555555'
export const DEPOSIT_CONTRACT: Address = '0x6666666666666666666666666666666666666666'

export function word(v: bigint | number): Uint8Array {
  return uintToBytes(BigInt(v), 32)
}

export function cat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let o = 0
  for (const p of parts) {
    out.set(p, o)
    o += p.length
  }
  return out
}

/** ABI `bytes` encoding: pointer 32, length, payload (payload assumed word-aligned). */
export function abiBytes(payload: Uint8Array): Uint8Array {
  return cat(word(32), word(payload.length), payload)
}

export function configUpdateLog(
  type: number,
  data: Uint8Array,
  opts: { address?: Address; version?: bigint } = {},
): DepositLogLike {
  return {
    address: hexToBytes(opts.address ?? SYS_CFG_ADDR),
    topics: [CONFIG_UPDATE_EVENT_TOPIC, word(opts.version ?? 0n), word(type)],
    data,
  }
}

export function batcherLog(addr: Address): DepositLogLike {
  const w = new Uint8Array(32)
  w.set(hexToBytes(addr), 12)
  return configUpdateLog(0, abiBytes(w))
}

export function gasLimitLog(gasLimit: bigint): DepositLogLike {
  return configUpdateLog(2, abiBytes(word(gasLimit)))
}

export function feeScalarsLog(overhead: Uint8Array, scalar: Uint8Array): DepositLogLike {
  return configUpdateLog(1, abiBytes(cat(overhead, scalar)))
}

/** A TransactionDeposited log (version 0) with the given opaque fields. */
export function depositLog(opts: {
  from: Address
  to: Address
  mint?: bigint
  value?: bigint
  gas?: bigint
  data?: Uint8Array
}): DepositLogLike {
  const data = opts.data ?? new Uint8Array()
  const opaque = cat(
    word(opts.mint ?? 0n),
    word(opts.value ?? 0n),
    uintToBytes(opts.gas ?? 100_000n, 8),
    new Uint8Array([0]),
    data,
  )
  const padded = new Uint8Array(Math.ceil(opaque.length / 32) * 32)
  padded.set(opaque)
  const addrWord = (a: Address) => {
    const w = new Uint8Array(32)
    w.set(hexToBytes(a), 12)
    return w
  }
  return {
    address: hexToBytes(DEPOSIT_CONTRACT),
    topics: [DEPOSIT_EVENT_TOPIC, addrWord(opts.from), addrWord(opts.to), new Uint8Array(32)],
    data: cat(word(32), word(opaque.length), padded),
  }
}

export const hashOf = (b: Uint8Array): Hash => bytesToHex(b)

export function baseSysCfg(over: Partial<SystemConfig> = {}): SystemConfig {
  return {
    batcherAddr: '0x1111111111111111111111111111111111111111',
    overhead: bytesToHex(word(188)),
    scalar: bytesToHex(word(684_000)),
    gasLimit: 30_000_000n,
    ...over,
  }
}
