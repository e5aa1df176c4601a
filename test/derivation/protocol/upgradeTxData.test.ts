import { describe, expect, it } from 'vitest'
import { hexToBytes } from '../../../config/bytes.ts'
import { upgradeTxs } from '../../../derivation/protocol/upgradeTxs.ts'
import { fixture, fixtureJson } from '../../helpers/random.ts'

const manifest = fixtureJson<{ order: Record<'ecotone' | 'fjord' | 'isthmus', string[]> }>('upgrade_txs/manifest.json')

describe('upgradeTxs', () => {
  for (const fork of ['ecotone', 'fjord', 'isthmus'] as const) {
    it(`${fork}: the embedded txs equal the fixture files, in order`, () => {
      const expected = manifest.order[fork].map((f) => hexToBytes(fixture(`upgrade_txs/${f}`).replace(/\s+/g, '')))
      expect(upgradeTxs(fork)).toEqual(expected)
    })
  }

  it('returns fresh copies', () => {
    const a = upgradeTxs('fjord')
    a[0]![0] = 0
    expect(upgradeTxs('fjord')[0]![0]).toBe(0x7e)
  })
})
