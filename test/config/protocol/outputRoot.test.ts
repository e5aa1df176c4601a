import { hashOutputRootProof } from '@eth-optimism/core-utils'
import { describe, expect, it } from 'vitest'
import { bytesToHex, hexToBytes } from '../../../config/bytes.ts'
import {
  marshalOutputV0,
  OutputRootError,
  outputRootV0,
  unmarshalOutputV0,
} from '../../../config/protocol/outputRoot.ts'
import { fixtureJson, rng } from '../../helpers/random.ts'

interface Vector {
  state_root: string
  message_passer_storage_root: string
  block_hash: string
  expected_preimage: string
  expected_output_root: string
}
const [v] = fixtureJson<{ vectors: Vector[] }>('output_root/output_root_vectors.json').vectors as [Vector]

describe('output root v0', () => {
  it('kona test_hash_output_root / test_encode_output_root', () => {
    const o = {
      stateRoot: hexToBytes(v.state_root),
      messagePasserStorageRoot: hexToBytes(v.message_passer_storage_root),
      blockHash: hexToBytes(v.block_hash),
    }
    expect(bytesToHex(marshalOutputV0(o))).toBe(v.expected_preimage)
    expect(bytesToHex(outputRootV0(o.stateRoot, o.messagePasserStorageRoot, o.blockHash))).toBe(v.expected_output_root)
    expect(unmarshalOutputV0(hexToBytes(v.expected_preimage))).toEqual(o)
  })

  it('field order matters (swapping roots changes the output)', () => {
    const a = hexToBytes(v.state_root)
    const b = hexToBytes(v.message_passer_storage_root)
    const c = hexToBytes(v.block_hash)
    expect(bytesToHex(outputRootV0(b, a, c))).not.toBe(v.expected_output_root)
  })

  it('agrees with core-utils hashOutputRootProof on random roots', () => {
    const r = rng(51)
    for (let i = 0; i < 100; i++) {
      const [s, m, h] = [r.bytes(32), r.bytes(32), r.bytes(32)]
      expect(bytesToHex(outputRootV0(s, m, h))).toBe(
        hashOutputRootProof({
          version: bytesToHex(new Uint8Array(32)),
          stateRoot: bytesToHex(s),
          messagePasserStorageRoot: bytesToHex(m),
          latestBlockhash: bytesToHex(h),
        }),
      )
    }
  })

  it('rejects wrong lengths and non-zero versions', () => {
    const z = new Uint8Array(32)
    expect(() => outputRootV0(new Uint8Array(31), z, z)).toThrow(OutputRootError)
    expect(() => unmarshalOutputV0(new Uint8Array(127))).toThrow(
      expect.objectContaining({ code: 'OUTPUT_ROOT_BAD_LENGTH' }),
    )
    const pre = new Uint8Array(128)
    pre[31] = 1
    expect(() => unmarshalOutputV0(pre)).toThrow(expect.objectContaining({ code: 'OUTPUT_ROOT_UNKNOWN_VERSION' }))
  })
})
