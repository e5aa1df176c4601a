import { readFileSync } from 'node:fs'
import { hashOutputRootProof, hashWithdrawal } from '@eth-optimism/core-utils'
import { describe, expect, it } from 'vitest'
import { outputRootV0 } from '../../../config/protocol/outputRoot.ts'
import { decodeMessagePassed, sentMessagesSlot, withdrawalHash } from '../../../config/protocol/withdrawal.ts'
import { l1InfoCalldataEcotone, l1InfoDepositTx } from '../../../node/dev/l1Attributes.ts'

const fx = (p: string) => JSON.parse(readFileSync(new URL(`../../fixtures/opstack/${p}`, import.meta.url), 'utf8'))
const b = (h: string) => Buffer.from(h.replace(/^0x/, ''), 'hex')
const hex = (x: Uint8Array) => `0x${Buffer.from(x).toString('hex')}`

describe('output root v0 (kona vector, core-utils reference)', () => {
  it('matches the asserted root and core-utils hashOutputRootProof', () => {
    for (const v of fx('output_root/output_root_vectors.json').vectors) {
      const root = outputRootV0(b(v.state_root), b(v.message_passer_storage_root), b(v.block_hash))
      expect(hex(root)).toBe(v.expected_output_root)
      expect(
        hashOutputRootProof({
          version: `0x${'00'.repeat(32)}`,
          stateRoot: v.state_root,
          messagePasserStorageRoot: v.message_passer_storage_root,
          latestBlockhash: v.block_hash,
        }),
      ).toBe(v.expected_output_root)
    }
  })
})

describe('withdrawals (op-node TestParseMessagePassed, core-utils reference)', () => {
  it('decodes the real MessagePassed log and hashes the withdrawal as the portal does', () => {
    const v = fx('withdrawals/withdrawal_vectors.json').vectors[0]
    const receipt = fx('withdrawals/bridge-withdrawal-receipt.json')
    const log = receipt.logs.find(
      (l: { address: string; topics: string[] }) =>
        l.address.toLowerCase() === v.message_passed_log_address && l.topics[0] === v.message_passed_topic0,
    )
    const w = decodeMessagePassed(log.topics.map(b), b(log.data))
    expect(w.nonce).toBe(BigInt(v.expected.nonce))
    expect(hex(w.sender)).toBe(v.expected.sender)
    expect(hex(w.target)).toBe(v.expected.target)
    expect(w.gasLimit).toBe(BigInt(v.expected.gasLimit))
    expect(w.data.length).toBe(v.expected.data_len)
    expect(hex(w.withdrawalHash)).toBe(v.expected.withdrawalHash)
    expect(hex(withdrawalHash(w))).toBe(v.expected.withdrawalHash)
    expect(
      hashWithdrawal(
        w.nonce as never,
        hex(w.sender),
        hex(w.target),
        w.value as never,
        w.gasLimit as never,
        hex(w.data),
      ),
    ).toBe(v.expected.withdrawalHash)
    expect(hex(sentMessagesSlot(w.withdrawalHash))).toBe(v.computed_independently.sentMessages_storage_key)
  })
})

describe('L1 attributes deposit (kona vectors)', () => {
  it('re-encodes the real OP Mainnet Ecotone calldata from its decoded values', () => {
    const v = fx('l1_info/l1_info_calldata.json').vectors.find((x: { selector: string }) => x.selector === '0x440a5e20')
    const d = v.expected_decoded
    const calldata = l1InfoCalldataEcotone({
      number: BigInt(d.number),
      timestamp: BigInt(d.time),
      baseFee: BigInt(d.base_fee),
      blobBaseFee: BigInt(d.blob_base_fee),
      hash: b(d.block_hash),
      mixHash: new Uint8Array(32),
      sequenceNumber: BigInt(d.sequence_number),
      batcher: b(d.batcher_address),
      baseFeeScalar: d.base_fee_scalar,
      blobBaseFeeScalar: d.blob_base_fee_scalar,
    })
    expect(hex(calldata)).toBe(v.calldata)
    if (v.independently_computed_deposit) {
      const tx = l1InfoDepositTx({
        number: BigInt(d.number),
        timestamp: BigInt(d.time),
        baseFee: BigInt(d.base_fee),
        blobBaseFee: BigInt(d.blob_base_fee),
        hash: b(d.block_hash),
        mixHash: new Uint8Array(32),
        sequenceNumber: BigInt(d.sequence_number),
        batcher: b(d.batcher_address),
        baseFeeScalar: d.base_fee_scalar,
        blobBaseFeeScalar: d.blob_base_fee_scalar,
      })
      expect(hex(tx)).toBe(v.independently_computed_deposit.tx_eip2718)
    }
  })
})
