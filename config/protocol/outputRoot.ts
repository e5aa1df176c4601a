import { keccak256 } from '../keccak.ts'

/** Output root v0 (opstack-spec §6): keccak256(bytes32(0) ++ stateRoot ++ messagePasserStorageRoot ++ blockHash). */
export function outputRootV0(
  stateRoot: Uint8Array,
  messagePasserStorageRoot: Uint8Array,
  blockHash: Uint8Array,
): Uint8Array {
  const pre = new Uint8Array(128)
  pre.set(stateRoot, 32)
  pre.set(messagePasserStorageRoot, 64)
  pre.set(blockHash, 96)
  return keccak256(pre)
}
