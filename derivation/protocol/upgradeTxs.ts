import { hexToBytes } from '../../config/bytes.ts'
import { ECOTONE_UPGRADE_TXS, FJORD_UPGRADE_TXS, ISTHMUS_UPGRADE_TXS } from './upgradeTxData.ts'

// The network-upgrade deposit txs a fork's activation block carries after the user deposits (spec §4.14).

export type UpgradeFork = 'ecotone' | 'fjord' | 'isthmus'

const DATA: Record<UpgradeFork, readonly string[]> = {
  ecotone: ECOTONE_UPGRADE_TXS,
  fjord: FJORD_UPGRADE_TXS,
  isthmus: ISTHMUS_UPGRADE_TXS,
}

/** The fork's upgrade txs, raw encoded, in order (fresh copies). */
export function upgradeTxs(fork: UpgradeFork): Uint8Array[] {
  return DATA[fork].map((h) => hexToBytes(h))
}
