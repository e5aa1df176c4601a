/** 0x-prefixed hex string (same shape as viem's Hex). */
export type Hex = `0x${string}`
export type Address = Hex
export type Hash = Hex

/** op-node BlockID: numbers are plain JSON numbers in the rollup RPC. */
export interface BlockID {
  hash: Hash
  number: number
}

export interface L1BlockRef extends BlockID {
  parentHash: Hash
  timestamp: number
}

export interface L2BlockRef extends BlockID {
  parentHash: Hash
  timestamp: number
  l1origin: BlockID
  sequenceNumber: number
}
