import type { Logger } from '../config/logger.ts'
import type { Hex } from '../config/types.ts'

// What `startNode` runs. Each optional section switches a role on.

export interface NodeOptions {
  datadir: string
  genesisPath: string
  rollupPath: string
  rpcHost: string
  rpcPort: number
  corsOrigins: string[]
  /** op-node's rollup RPC (optimism_*, admin_*) on its own port; undefined = only on the L2 RPC. */
  rollupRpcPort?: number | undefined
  /** Prometheus /metrics port (undefined = disabled, 0 = any free port). */
  metricsPort?: number | undefined
  /** Derive from this L1 (verifier; also the sequencer's safe head). */
  l1?: L1Options | undefined
  altDA?: AltDAOptions | undefined
  sequencer?: SequencerOptions | undefined
  batcher?: BatcherOptions | undefined
  proposer?: ProposerOptions | undefined
  p2p?: P2POptions | undefined
  log: Logger
}

export interface L1Options {
  rpc: string
  beacon?: string | undefined
  /** How blocks are named to the beacon API: 'slot' (a real beacon node) or 'blockNumber' (anvil). */
  beaconBlockId?: 'slot' | 'blockNumber' | 'blockHash' | undefined
  pollIntervalMs: number
  rps: number
  maxConcurrency: number
  addressesPath?: string | undefined
}

export interface AltDAOptions {
  url: string
  putTimeoutMs: number
  getTimeoutMs: number
  maxConcurrent: number
  verifyOnRead: boolean
  failover: 'calldata' | 'blobs'
}

export interface SequencerOptions {
  stopped: boolean
  l1Confs: number
  /** Signs gossiped unsafe blocks; required when P2P is on. */
  signerKey?: Hex | undefined
}

export interface BatcherOptions {
  key: Hex
  da: 'calldata' | 'blobs' | 'altda'
  maxChannelDuration: number
  pollIntervalMs: number
}

export interface ProposerOptions {
  key: Hex
  pollIntervalMs: number
}

export interface P2POptions {
  port: number
  host: string
  peers: string[]
  keyFile?: string | undefined
  /** A fixed identity key: written to the key file before start (op-node --p2p.priv.raw). */
  privKey?: Hex | undefined
}
