import type { FlagSpec, FlagValues } from '../../config/cli.ts'
import { ConfigError } from '../../config/errors.ts'
import { LOG_LEVELS } from '../../config/logger.ts'
import type { Hex } from '../../config/types.ts'
import type { NodeOptions } from '../nodeOptions.ts'

// `oln node` flags. One binary, roles by flags as op-node does: with --l1.rpc the node derives the chain from L1
// (verifier); --sequencer adds block production, --batcher.key the batcher, --proposer.key the proposer,
// --p2p.port the block gossip. Every flag has an OLN_* environment twin (keys are best passed that way).

export const NODE_FLAGS: FlagSpec[] = [
  { name: 'datadir', type: 'path', description: 'database directory', default: './.oln' },
  { name: 'genesis', type: 'path', description: 'genesis-l2.json (op-geth format)', required: true },
  { name: 'rollup', type: 'path', description: 'rollup.json (op-node format)', required: true },
  { name: 'rpc.addr', type: 'string', description: 'listen address of the L2 and rollup RPC', default: '127.0.0.1' },
  { name: 'rpc.port', type: 'int', description: 'L2 JSON-RPC port (HTTP and WebSocket; 0 = any)', default: 8545 },
  { name: 'rpc.cors', type: 'list', description: 'allowed CORS origins (comma separated, * for any)', default: [] },
  {
    name: 'rollup-rpc.port',
    type: 'int',
    description: 'rollup RPC port (optimism_*, admin_*; 0 = any, -1 = off; optimism_* is also on the L2 RPC)',
    default: 7545,
  },
  { name: 'metrics.port', type: 'int', description: 'Prometheus /metrics port (0 = any; unset = off)' },
  { name: 'log.level', type: 'enum', choices: LOG_LEVELS, description: 'log level', default: 'info' },
  // L1
  { name: 'l1.rpc', type: 'url', description: 'L1 execution RPC; enables derivation from L1 (verifier)' },
  { name: 'l1.beacon', type: 'url', description: 'L1 beacon API for blobs (needed once batches use blobs)' },
  {
    name: 'l1.beacon.block-id',
    type: 'enum',
    choices: ['slot', 'blockNumber', 'blockHash'],
    description: "how L1 blocks are named to the beacon API ('blockNumber' for anvil)",
    default: 'slot',
  },
  { name: 'l1.poll-interval', type: 'duration', description: 'how often L1 heads are polled', default: 2000 },
  { name: 'l1.rps', type: 'int', description: 'most L1 RPC requests per second', default: 200 },
  { name: 'l1.max-concurrency', type: 'int', description: 'most L1 RPC requests in flight', default: 16 },
  {
    name: 'l1.addresses',
    type: 'path',
    description: 'addresses.json of the L1 deployment (the proposer reads L2OutputOracleProxy from it)',
  },
  // Alt-DA (EigenDA through eigenda-proxy or `oln da-server`)
  { name: 'altda.url', type: 'url', description: 'DA server (eigenda-proxy API) URL; enables Alt-DA reads' },
  { name: 'altda.put-timeout', type: 'duration', description: 'per-attempt timeout of a DA put', default: 60_000 },
  { name: 'altda.get-timeout', type: 'duration', description: 'per-attempt timeout of a DA get', default: 30_000 },
  { name: 'altda.max-concurrent', type: 'int', description: 'most DA requests in flight', default: 4 },
  {
    name: 'altda.verify-on-read',
    type: 'bool',
    description: 'fetch the encoded payload and decode it locally (checks the proxy)',
    default: true,
  },
  {
    name: 'altda.failover',
    type: 'enum',
    choices: ['calldata', 'blobs'],
    description: 'Ethereum DA the batcher falls back to when the DA server is down (503/unreachable)',
    default: 'calldata',
  },
  // sequencer
  { name: 'sequencer', type: 'bool', description: 'produce blocks (needs --l1.rpc)', default: false },
  { name: 'sequencer.stopped', type: 'bool', description: 'start with sequencing stopped', default: false },
  {
    name: 'sequencer.l1-confs',
    type: 'int',
    description: 'L1 confirmations before a block is used as an L1 origin',
    default: 4,
  },
  { name: 'sequencer.key', type: 'string', description: 'unsafe block signer private key (signs gossiped blocks)' },
  // batcher
  { name: 'batcher.key', type: 'string', description: 'batcher private key; enables the batcher' },
  {
    name: 'batcher.da',
    type: 'enum',
    choices: ['calldata', 'blobs', 'altda'],
    description: 'where batches go: L1 calldata, EIP-4844 blobs, or Alt-DA (needs --altda.url)',
    default: 'calldata',
  },
  {
    name: 'batcher.max-channel-duration',
    type: 'int',
    description: 'close a channel after this many L1 blocks (0 = only when full)',
    default: 1,
  },
  { name: 'batcher.poll-interval', type: 'duration', description: 'how often the batcher loads blocks', default: 1000 },
  // proposer
  { name: 'proposer.key', type: 'string', description: 'proposer private key; enables the proposer' },
  { name: 'proposer.poll-interval', type: 'duration', description: 'how often the proposer checks', default: 2000 },
  // p2p
  { name: 'p2p.port', type: 'int', description: 'libp2p TCP port for block gossip (0 = any, -1 = off)', default: -1 },
  { name: 'p2p.addr', type: 'string', description: 'libp2p listen address', default: '127.0.0.1' },
  { name: 'p2p.peers', type: 'list', description: 'static peers (multiaddrs, comma separated)', default: [] },
  { name: 'p2p.key-file', type: 'path', description: 'libp2p identity key file (default: <datadir>/p2p-key)' },
  {
    name: 'p2p.priv-key',
    type: 'string',
    description: 'libp2p identity key (hex); written to the key file, so the peer id is known in advance',
  },
]

function key(v: FlagValue, flag: string): Hex | undefined {
  if (v === undefined) return undefined
  const s = String(v)
  if (!/^0x[0-9a-fA-F]{64}$/.test(s)) throw new ConfigError(flag, 'must be a 0x-prefixed 32-byte hex private key')
  return s as Hex
}

type FlagValue = FlagValues[string]

export function nodeOptionsFromFlags(v: FlagValues): Omit<NodeOptions, 'log'> {
  const l1Rpc = v['l1.rpc'] as string | undefined
  const sequencer = v.sequencer === true
  const batcherKey = key(v['batcher.key'], 'batcher.key')
  const proposerKey = key(v['proposer.key'], 'proposer.key')
  const altdaUrl = v['altda.url'] as string | undefined
  if ((sequencer || batcherKey || proposerKey) && !l1Rpc) {
    throw new ConfigError('l1.rpc', 'is required for the sequencer, batcher and proposer')
  }
  if (v['batcher.da'] === 'altda' && !altdaUrl) throw new ConfigError('altda.url', 'is required by --batcher.da=altda')
  if (proposerKey && !v['l1.addresses']) throw new ConfigError('l1.addresses', 'is required by the proposer')
  const p2pPort = v['p2p.port'] as number
  return {
    datadir: v.datadir as string,
    genesisPath: v.genesis as string,
    rollupPath: v.rollup as string,
    rpcHost: v['rpc.addr'] as string,
    rpcPort: v['rpc.port'] as number,
    corsOrigins: v['rpc.cors'] as string[],
    rollupRpcPort: (v['rollup-rpc.port'] as number) < 0 ? undefined : (v['rollup-rpc.port'] as number),
    metricsPort: v['metrics.port'] as number | undefined,
    l1: l1Rpc
      ? {
          rpc: l1Rpc,
          beacon: v['l1.beacon'] as string | undefined,
          beaconBlockId: v['l1.beacon.block-id'] as 'slot' | 'blockNumber' | 'blockHash',
          pollIntervalMs: v['l1.poll-interval'] as number,
          rps: v['l1.rps'] as number,
          maxConcurrency: v['l1.max-concurrency'] as number,
          addressesPath: v['l1.addresses'] as string | undefined,
        }
      : undefined,
    altDA: altdaUrl
      ? {
          url: altdaUrl,
          putTimeoutMs: v['altda.put-timeout'] as number,
          getTimeoutMs: v['altda.get-timeout'] as number,
          maxConcurrent: v['altda.max-concurrent'] as number,
          verifyOnRead: v['altda.verify-on-read'] as boolean,
          failover: v['altda.failover'] as 'calldata' | 'blobs',
        }
      : undefined,
    sequencer: sequencer
      ? {
          stopped: v['sequencer.stopped'] as boolean,
          l1Confs: v['sequencer.l1-confs'] as number,
          signerKey: key(v['sequencer.key'], 'sequencer.key'),
        }
      : undefined,
    batcher: batcherKey
      ? {
          key: batcherKey,
          da: v['batcher.da'] as 'calldata' | 'blobs' | 'altda',
          maxChannelDuration: v['batcher.max-channel-duration'] as number,
          pollIntervalMs: v['batcher.poll-interval'] as number,
        }
      : undefined,
    proposer: proposerKey ? { key: proposerKey, pollIntervalMs: v['proposer.poll-interval'] as number } : undefined,
    p2p:
      p2pPort >= 0
        ? {
            port: p2pPort,
            host: v['p2p.addr'] as string,
            peers: v['p2p.peers'] as string[],
            keyFile: v['p2p.key-file'] as string | undefined,
            privKey: key(v['p2p.priv-key'], 'p2p.priv-key'),
          }
        : undefined,
  }
}
