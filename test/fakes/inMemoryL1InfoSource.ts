import type { Hash } from '../../config/types.ts'
import type { AttributesL1Source, L1HeaderInfo } from '../../derivation/attributes/attributesBuilder.ts'
import type { L1Receipt } from '../../derivation/providers.ts'
import type { InMemoryL1Source } from './inMemoryL1Source.ts'

// Header fields on top of an InMemoryL1Source, for the payload-attributes builder. Unknown blocks throw the same
// reset error as the underlying source.

export interface HeaderExtras {
  baseFeePerGas?: bigint
  mixHash?: Hash
  parentBeaconBlockRoot?: Hash
  excessBlobGas?: bigint
}

export class InMemoryL1InfoSource implements AttributesL1Source {
  readonly extras = new Map<string, HeaderExtras>()

  constructor(readonly l1: InMemoryL1Source) {}

  setExtras(hash: Hash, extras: HeaderExtras): void {
    this.extras.set(hash.toLowerCase(), extras)
  }

  async infoByHash(hash: Hash): Promise<L1HeaderInfo> {
    const ref = await this.l1.l1BlockRefByHash(hash)
    const x = this.extras.get(hash.toLowerCase()) ?? {}
    return {
      ...ref,
      baseFeePerGas: x.baseFeePerGas ?? 7n,
      mixHash: x.mixHash ?? (`0x${ref.number.toString(16).padStart(64, 'a')}` as Hash),
      parentBeaconBlockRoot: x.parentBeaconBlockRoot,
      excessBlobGas: x.excessBlobGas,
    }
  }

  async infoAndReceiptsByHash(hash: Hash): Promise<{ info: L1HeaderInfo; receipts: readonly L1Receipt[] }> {
    const info = await this.infoByHash(hash)
    return { info, receipts: await this.l1.receiptsByHash(hash) }
  }
}
