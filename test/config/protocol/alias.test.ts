import { applyL1ToL2Alias as coreApply, undoL1ToL2Alias as coreUndo } from '@eth-optimism/core-utils'
import { describe, expect, it } from 'vitest'
import { bytesToHex, hexToBytes } from '../../../config/bytes.ts'
import { applyL1ToL2Alias, undoL1ToL2Alias } from '../../../config/protocol/alias.ts'
import { rng } from '../../helpers/random.ts'

describe('L1→L2 address aliasing', () => {
  it('adds 0x1111…1111 modulo 2^160, with wrap-around', () => {
    expect(bytesToHex(applyL1ToL2Alias(new Uint8Array(20)))).toBe('0x1111000000000000000000000000000000001111')
    expect(bytesToHex(applyL1ToL2Alias(new Uint8Array(20).fill(0xff)))).toBe(
      '0x1111000000000000000000000000000000001110',
    )
    expect(bytesToHex(undoL1ToL2Alias(new Uint8Array(20)))).toBe('0xeeeeffffffffffffffffffffffffffffffffeeef')
  })

  it('agrees with core-utils and round-trips on random addresses', () => {
    const r = rng(61)
    for (let i = 0; i < 300; i++) {
      const a = r.bytes(20)
      if (i % 10 === 0) a.fill(0xff, 0, 1 + r.int(19))
      const aliased = applyL1ToL2Alias(a)
      expect(bytesToHex(aliased)).toBe(coreApply(bytesToHex(a)).toLowerCase())
      expect(bytesToHex(undoL1ToL2Alias(a))).toBe(coreUndo(bytesToHex(a)).toLowerCase())
      expect(undoL1ToL2Alias(aliased)).toEqual(a)
    }
    expect(() => applyL1ToL2Alias(hexToBytes('0x00'))).toThrow()
  })
})
