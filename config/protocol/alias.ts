import { BytesError } from '../bytes.ts'

// L1→L2 address aliasing (opstack-spec §1.3): the portal aliases contract callers with
// L2 = L1 + 0x1111000000000000000000000000000000001111 (mod 2^160). The node itself never applies or undoes it;
// tools (tests, the batcher/bridge helpers) do.

export const L1_TO_L2_ALIAS_OFFSET = new Uint8Array([
  0x11, 0x11, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x11, 0x11,
])

function addMod160(a: Uint8Array, b: Uint8Array, subtract: boolean): Uint8Array {
  if (a.length !== 20) throw new BytesError('BYTES_BAD_LENGTH', 'address must be 20 bytes', { length: a.length })
  const out = new Uint8Array(20)
  let carry = 0
  for (let i = 19; i >= 0; i--) {
    const v = subtract ? a[i]! - b[i]! - carry : a[i]! + b[i]! + carry
    if (subtract) {
      carry = v < 0 ? 1 : 0
      out[i] = (v + 256) & 0xff
    } else {
      carry = v > 0xff ? 1 : 0
      out[i] = v & 0xff
    }
  }
  return out
}

/** L2 alias of an L1 contract address. */
export function applyL1ToL2Alias(l1Address: Uint8Array): Uint8Array {
  return addMod160(l1Address, L1_TO_L2_ALIAS_OFFSET, false)
}

/** Inverse of `applyL1ToL2Alias`. */
export function undoL1ToL2Alias(l2Address: Uint8Array): Uint8Array {
  return addMod160(l2Address, L1_TO_L2_ALIAS_OFFSET, true)
}
