import { DepositTx as CoreDepositTx, SourceHashDomain as CoreDomain } from '@eth-optimism/core-utils'
import { getSourceHash } from 'viem/op-stack'
import { describe, expect, it } from 'vitest'
import { bytesToHex, hexToBytes } from '../../../config/bytes.ts'
import {
  afterForceIncludeSourceHash,
  depositSourceHash,
  l1InfoDepositSourceHash,
  upgradeDepositSourceHash,
  userDepositSourceHash,
} from '../../../derivation/protocol/sourceHash.ts'
import { fixtureJson, rng } from '../../helpers/random.ts'

interface SourceHashVector {
  domain: number
  kind: 'user' | 'l1info' | 'upgrade' | 'after_force_include'
  inputs: { intent?: string; l1_block_hash?: string; seq_number?: number; log_index?: number }
  expected_source_hash: string
}

const vectors = fixtureJson<{ vectors: SourceHashVector[] }>('deposits/source_hashes.json').vectors

function compute(v: SourceHashVector): Uint8Array {
  const { inputs } = v
  switch (v.kind) {
    case 'user':
      return userDepositSourceHash(hexToBytes(inputs.l1_block_hash!), inputs.log_index!)
    case 'l1info':
      return l1InfoDepositSourceHash(hexToBytes(inputs.l1_block_hash!), BigInt(inputs.seq_number!))
    case 'upgrade':
      return upgradeDepositSourceHash(inputs.intent!)
    case 'after_force_include':
      return afterForceIncludeSourceHash(hexToBytes(inputs.l1_block_hash!), inputs.seq_number!)
  }
}

describe('deposit source hashes', () => {
  it('has all 16 vectors with every domain', () => {
    expect(vectors).toHaveLength(16)
    expect(new Set(vectors.map((v) => v.domain))).toEqual(new Set([0, 1, 2, 3]))
  })

  for (const v of vectors) {
    it(`domain ${v.domain} ${v.kind} ${v.inputs.intent ?? v.inputs.l1_block_hash?.slice(0, 10)}`, () => {
      expect(bytesToHex(compute(v))).toBe(v.expected_source_hash)
    })
  }

  it('domains separate equal inner inputs', () => {
    const h = hexToBytes(vectors.find((v) => v.kind === 'l1info')!.inputs.l1_block_hash!)
    const all = [userDepositSourceHash(h, 4), l1InfoDepositSourceHash(h, 4), afterForceIncludeSourceHash(h, 4)]
    expect(new Set(all.map(bytesToHex)).size).toBe(3)
  })

  it('upgrade inner hash is a single keccak of the intent (not block-hash style)', () => {
    const intent = 'Ecotone: L1 Block Deployment'
    // depositSourceHash(2, keccak(intent)) equals the upgrade helper; a different intent differs
    expect(bytesToHex(upgradeDepositSourceHash(intent))).not.toBe(
      bytesToHex(upgradeDepositSourceHash('Ecotone: L1 Block Deploymen')),
    )
    expect(() => depositSourceHash(2, new Uint8Array(31))).toThrow(
      expect.objectContaining({ code: 'DEPOSIT_TX_INVALID_FIELD' }),
    )
  })

  it('agrees with viem getSourceHash and core-utils DepositTx.sourceHash on random inputs', () => {
    const r = rng(1)
    for (let i = 0; i < 200; i++) {
      const blockHash = r.bytes(32)
      const index = r.int(1 << 30)
      const hex = bytesToHex(blockHash)
      const userViem = getSourceHash({ domain: 'userDeposit', l1BlockHash: hex, l1LogIndex: index })
      const infoViem = getSourceHash({ domain: 'l1InfoDeposit', l1BlockHash: hex, sequenceNumber: index })
      expect(bytesToHex(userDepositSourceHash(blockHash, index))).toBe(userViem)
      expect(bytesToHex(l1InfoDepositSourceHash(blockHash, BigInt(index)))).toBe(infoViem)
      const core = new CoreDepositTx({ domain: CoreDomain.UserDeposit, l1BlockHash: hex, logIndex: index })
      expect(bytesToHex(userDepositSourceHash(blockHash, index))).toBe(core.sourceHash())
    }
  })
})
