import { keccak256 as keccak_256 } from '../../config/keccak.ts'
import type { Log } from './types.ts'

// Ethereum 2048-bit log bloom: three 11-bit indexes from the first six bytes of keccak(item).

export function addToBloom(bloom: Uint8Array, item: Uint8Array): void {
  const h = keccak_256(item)
  for (let i = 0; i < 6; i += 2) {
    const bit = (((h[i] as number) << 8) | (h[i + 1] as number)) & 0x7ff
    bloom[256 - 1 - (bit >> 3)] = (bloom[256 - 1 - (bit >> 3)] as number) | (1 << (bit & 7))
  }
}

export function logsBloom(logs: readonly Log[], into: Uint8Array = new Uint8Array(256)): Uint8Array {
  for (const l of logs) {
    addToBloom(into, l.address)
    for (const t of l.topics) addToBloom(into, t)
  }
  return into
}

export function orInto(target: Uint8Array, src: Uint8Array): void {
  for (let i = 0; i < 256; i++) target[i] = (target[i] as number) | (src[i] as number)
}

export function bloomContains(bloom: Uint8Array, item: Uint8Array): boolean {
  const h = keccak_256(item)
  for (let i = 0; i < 6; i += 2) {
    const bit = (((h[i] as number) << 8) | (h[i + 1] as number)) & 0x7ff
    if (((bloom[256 - 1 - (bit >> 3)] as number) & (1 << (bit & 7))) === 0) return false
  }
  return true
}
