import { keccak_256 } from '@noble/hashes/sha3.js'
import { isZeroRange } from '../bytes.ts'
import { NodeError } from '../errors.ts'

// Output root v0 (opstack-spec §6): keccak256(bytes32(0) ++ stateRoot ++ messagePasserStorageRoot ++ blockHash).
// messagePasserStorageRoot is the L2ToL1MessagePasser storage root at the block (eth_getProof storageHash);
// header.withdrawalsRoot equals it only from Isthmus.

export type OutputRootErrorCode = 'OUTPUT_ROOT_BAD_LENGTH' | 'OUTPUT_ROOT_UNKNOWN_VERSION'
export class OutputRootError extends NodeError<OutputRootErrorCode> {}

export const OUTPUT_VERSION_V0 = new Uint8Array(32)

export interface OutputV0 {
  stateRoot: Uint8Array
  messagePasserStorageRoot: Uint8Array
  blockHash: Uint8Array
}

function check32(name: string, b: Uint8Array): void {
  if (b.length !== 32) {
    throw new OutputRootError('OUTPUT_ROOT_BAD_LENGTH', `${name} must be 32 bytes, got ${b.length}`, {
      field: name,
      length: b.length,
    })
  }
}

/** The 128-byte preimage: version(0) ++ stateRoot ++ messagePasserStorageRoot ++ blockHash. */
export function marshalOutputV0(o: OutputV0): Uint8Array {
  check32('stateRoot', o.stateRoot)
  check32('messagePasserStorageRoot', o.messagePasserStorageRoot)
  check32('blockHash', o.blockHash)
  const out = new Uint8Array(128)
  out.set(o.stateRoot, 32)
  out.set(o.messagePasserStorageRoot, 64)
  out.set(o.blockHash, 96)
  return out
}

/** Parses a 128-byte v0 preimage (the version word must be zero). */
export function unmarshalOutputV0(preimage: Uint8Array): OutputV0 {
  if (preimage.length !== 128) {
    throw new OutputRootError('OUTPUT_ROOT_BAD_LENGTH', `output preimage must be 128 bytes, got ${preimage.length}`, {
      length: preimage.length,
    })
  }
  if (!isZeroRange(preimage, 0, 32)) {
    throw new OutputRootError('OUTPUT_ROOT_UNKNOWN_VERSION', 'output version is not 0')
  }
  return {
    stateRoot: preimage.slice(32, 64),
    messagePasserStorageRoot: preimage.slice(64, 96),
    blockHash: preimage.slice(96, 128),
  }
}

/** Output root v0. */
export function outputRootV0(
  stateRoot: Uint8Array,
  messagePasserStorageRoot: Uint8Array,
  blockHash: Uint8Array,
): Uint8Array {
  return keccak_256(marshalOutputV0({ stateRoot, messagePasserStorageRoot, blockHash }))
}
