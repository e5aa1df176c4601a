import { createPublicClient, http, parseAbi } from 'viem'
import type { Address } from '../../config/types.ts'

// Reads the unsafe block signer from the L1 SystemConfig (op-node's runtime config): verifiers accept gossiped
// blocks only from this address.

const ABI = parseAbi(['function unsafeBlockSigner() view returns (address)'])

export async function readUnsafeBlockSigner(l1Rpc: string, systemConfig: Address): Promise<Address> {
  const client = createPublicClient({ transport: http(l1Rpc, { timeout: 10_000, retryCount: 3 }) })
  return (await client.readContract({ address: systemConfig, abi: ABI, functionName: 'unsafeBlockSigner' })) as Address
}

/** L1 Prague activation of the public L1s (blob base fee update fraction); other L1s (anvil, devnets): genesis. */
export function knownL1PragueTime(l1ChainId: number): number {
  switch (l1ChainId) {
    case 1:
      return 1_746_612_311
    case 11155111:
      return 1_741_159_776
    case 17000:
      return 1_740_434_112
    default:
      return 0
  }
}
