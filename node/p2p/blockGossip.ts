// libp2p 2.x's it-queue calls Promise.withResolvers (Node 22+): the polyfill must load before libp2p.
import '../../config/polyfills.ts'
import { type GossipsubEvents, type GossipsubMessage, gossipsub } from '@chainsafe/libp2p-gossipsub'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { identify } from '@libp2p/identify'
import { KEEP_ALIVE, type Message, type PeerId, type PubSub, TopicValidatorResult } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { tcp } from '@libp2p/tcp'
import { type Multiaddr, multiaddr } from '@multiformats/multiaddr'
import { createLibp2p, type Libp2p } from 'libp2p'
import secp256k1 from 'secp256k1'
import { bytesToHex, hexToBytes } from '../../config/bytes.ts'
import { ConfigError, errorMessage } from '../../config/errors.ts'
import type { ExecutionPayloadEnvelope } from '../../config/executionPayload.ts'
import { type Logger, silentLogger } from '../../config/logger.ts'
import type { UnsafeBlockPublisher } from '../../sequencer/unsafePublisher.ts'
import { publicKeyToAddress } from '../engine/crypto.ts'
import { BlockGossipValidator, type GossipVerdict } from './blockValidator.ts'
import { P2PError } from './errors.ts'
import {
  blocksTopic,
  encodeGossipMessage,
  type GossipChainConfig,
  gossipMessageId,
  MAX_GOSSIP_SIZE,
  PAYLOAD_VERSIONS,
  type PayloadVersion,
  payloadVersionAt,
} from './gossipCodec.ts'
import { verifyPayloadBlockHash } from './payloadBlockHash.ts'
import { loadOrCreatePeerKey } from './peerKey.ts'

// Unsafe-block gossip over libp2p (TCP, noise, yamux, identify, gossipsub with op-node's parameters). The sequencer
// publishes each new block on the topic of its fork, signed with the unsafe block signer key; every node subscribes
// to all block topics, validates like op-node (blockValidator.ts) and hands accepted blocks to `onUnsafeBlock`.

export interface BlockGossipOptions {
  /** Chain id and fork times (a parsed rollup.json). */
  chain: GossipChainConfig
  /** Listen address; only loopback/host interfaces given here are bound. Default 127.0.0.1. */
  listenHost?: string
  /** TCP listen port; 0 picks a free one (read `multiaddrs` after start). Default 0. */
  listenPort?: number
  /** Peers to dial at start and keep connected, as multiaddrs ending in /p2p/<peerId>. */
  staticPeers?: readonly string[]
  /** File with this node's libp2p identity (hex secp256k1 key, op-node format); created if missing. Unset: a fresh
   * identity every start. */
  peerKeyFile?: string
  /** Sequencer only: the unsafe block signer private key (32 bytes or 0x-hex). Required to publish. */
  signerKey?: Uint8Array | string
  /** The address whose signatures are accepted (SystemConfig's unsafe block signer). Defaults to the address of
   * `signerKey`; without either, received blocks are ignored (op-node behaviour). */
  expectedSigner?: Uint8Array | string
  /** Block-hash check of received payloads; defaults to rebuilding and hashing the header. */
  verifyBlockHash?: (envelope: ExecutionPayloadEnvelope) => boolean | Promise<boolean>
  /** Called once per accepted block, with the sending peer's id. Errors are logged. */
  onUnsafeBlock?: (envelope: ExecutionPayloadEnvelope, from: string) => void | Promise<void>
  /** Called for every validation verdict (metrics, tests). */
  onValidation?: (verdict: GossipVerdict, reason: string | undefined, from: string) => void
  logger?: Logger
  /** Wall clock in seconds, for the timestamp window (tests). */
  now?: () => number
  /** How often disconnected static peers are redialled, after libp2p's own reconnect attempts gave up. */
  staticPeerRedialMs?: number
}

// op-node p2p/gossip.go parameters
const GOSSIP_PARAMS = {
  D: 8,
  Dlo: 6,
  Dhi: 12,
  Dlazy: 6,
  heartbeatInterval: 500,
  fanoutTTL: 24_000,
  mcacheLength: 12,
  mcacheGossip: 3,
  seenTTL: 130 * 500,
}
const STATIC_PEER_REDIAL_MS = 10_000
/** Room for the gossipsub RPC framing around one maximal message. */
const RPC_OVERHEAD = 64 * 1024

function toBytes(field: string, v: Uint8Array | string, len: number): Uint8Array {
  const b = typeof v === 'string' ? hexToBytes(v.startsWith('0x') ? v : `0x${v}`) : v
  if (b.length !== len) throw new ConfigError(field, `must be ${len} bytes`)
  return b
}

const VERDICT_RESULT: Record<GossipVerdict, TopicValidatorResult> = {
  accept: TopicValidatorResult.Accept,
  ignore: TopicValidatorResult.Ignore,
  reject: TopicValidatorResult.Reject,
}

interface StaticPeer {
  addr: Multiaddr
  id: PeerId
}

function parseStaticPeer(addr: string): StaticPeer {
  let ma: Multiaddr
  try {
    ma = multiaddr(addr)
  } catch (err) {
    throw new ConfigError('p2p.static', `'${addr}' is not a multiaddr: ${errorMessage(err)}`)
  }
  const id = ma.getPeerId()
  if (!id) throw new ConfigError('p2p.static', `static peer ${addr} must end in /p2p/<peerId>`)
  return { addr: ma, id: peerIdFromString(id) }
}

type BlocksPubSub = PubSub<GossipsubEvents>
type Node = Libp2p<{ pubsub: BlocksPubSub; identify: unknown }>

export class BlockGossip implements UnsafeBlockPublisher {
  private node: Node | undefined
  private readonly log: Logger
  private readonly chainId: bigint
  private readonly signerKey: Uint8Array | undefined
  private expected: Uint8Array | undefined
  private readonly validator: BlockGossipValidator
  /** Envelopes decoded by the validator, picked up when gossipsub delivers the same message object. */
  private readonly validated = new WeakMap<Message, ExecutionPayloadEnvelope>()
  private readonly topics: Map<string, PayloadVersion>
  private redialTimer: NodeJS.Timeout | undefined
  private readonly staticPeers: StaticPeer[]

  constructor(private readonly opts: BlockGossipOptions) {
    this.log = (opts.logger ?? silentLogger()).child({ module: 'p2p' })
    this.chainId = BigInt(opts.chain.l2_chain_id)
    this.signerKey = opts.signerKey === undefined ? undefined : toBytes('p2p.sequencer.key', opts.signerKey, 32)
    if (this.signerKey && !secp256k1.privateKeyVerify(this.signerKey)) {
      throw new ConfigError('p2p.sequencer.key', 'not a valid secp256k1 private key')
    }
    if (opts.expectedSigner !== undefined) this.expected = toBytes('p2p.sequencer.address', opts.expectedSigner, 20)
    else if (this.signerKey)
      this.expected = publicKeyToAddress(secp256k1.publicKeyCreate(this.signerKey, false).subarray(1))
    this.validator = new BlockGossipValidator({
      chain: opts.chain,
      expectedSigner: () => this.expected,
      verifyBlockHash: opts.verifyBlockHash ?? verifyPayloadBlockHash,
      ...(opts.now ? { now: opts.now } : {}),
    })
    this.topics = new Map(PAYLOAD_VERSIONS.map((v) => [blocksTopic(this.chainId, v), v]))
    this.staticPeers = (opts.staticPeers ?? []).map(parseStaticPeer)
  }

  /** Follows SystemConfig updates of the unsafe block signer. */
  setExpectedSigner(address: Uint8Array | undefined): void {
    this.expected = address
  }

  get peerId(): string {
    return this.started().peerId.toString()
  }

  /** The addresses peers can dial, with the actual port and /p2p/<peerId>. */
  get multiaddrs(): string[] {
    return this.started()
      .getMultiaddrs()
      .map((a) => a.toString())
  }

  /** Peers known to subscribe to the blocks topic of `version`. */
  topicPeers(version: PayloadVersion): string[] {
    return this.pubsub()
      .getSubscribers(blocksTopic(this.chainId, version))
      .map((p) => p.toString())
  }

  connectedPeers(): string[] {
    return this.started()
      .getPeers()
      .map((p) => p.toString())
  }

  async start(): Promise<void> {
    if (this.node) return
    const privateKey = this.opts.peerKeyFile
      ? await loadOrCreatePeerKey(this.opts.peerKeyFile)
      : await generateKeyPair('secp256k1')
    const host = this.opts.listenHost ?? '127.0.0.1'
    const port = this.opts.listenPort ?? 0
    const allowedTopics = [...this.topics.keys()]
    const node = (await createLibp2p({
      start: false,
      privateKey,
      addresses: { listen: [`/ip4/${host}/tcp/${port}`] },
      transports: [tcp()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      services: {
        identify: identify(),
        pubsub: gossipsub({
          ...GOSSIP_PARAMS,
          globalSignaturePolicy: 'StrictNoSign',
          msgIdFn: (msg) => gossipMessageId(msg.topic, msg.data),
          allowedTopics,
          doPX: false,
          emitSelf: false,
          floodPublish: true,
          allowPublishToZeroTopicPeers: true,
          ignoreDuplicatePublishError: true,
          maxInboundDataLength: MAX_GOSSIP_SIZE + RPC_OVERHEAD,
        }),
      },
    })) as unknown as Node
    const pubsub = node.services.pubsub
    for (const [topic, version] of this.topics) {
      pubsub.topicValidators.set(topic, (from, msg) => this.validateMessage(version, from, msg))
    }
    pubsub.addEventListener('gossipsub:message', (evt) => this.deliver(evt.detail))
    try {
      await node.start()
    } catch (err) {
      await Promise.resolve(node.stop()).catch(() => undefined)
      if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE' || /EADDRINUSE/.test(errorMessage(err))) {
        throw new ConfigError('p2p.listen.tcp', `${host}:${port} is already in use; pick another port or 0`)
      }
      throw err
    }
    // gossipsub accepts subscriptions only once started
    for (const topic of this.topics.keys()) pubsub.subscribe(topic)
    this.node = node
    this.log.info({ peer: node.peerId.toString(), addrs: this.multiaddrs }, 'P2P started')
    await this.connectStaticPeers(node)
    if (this.staticPeers.length) {
      this.redialTimer = setInterval(
        () => void this.redialStaticPeers(node),
        this.opts.staticPeerRedialMs ?? STATIC_PEER_REDIAL_MS,
      )
      this.redialTimer.unref()
    }
  }

  async stop(): Promise<void> {
    const node = this.node
    if (!node) return
    this.node = undefined
    clearInterval(this.redialTimer)
    this.redialTimer = undefined
    await node.stop()
    this.log.info('P2P stopped')
  }

  /** Signs and gossips a new unsafe block on its fork's topic. Needs `signerKey`. */
  async publish(envelope: ExecutionPayloadEnvelope): Promise<void> {
    if (!this.signerKey) {
      throw new P2PError('P2P_NO_SIGNER', 'publishing unsafe blocks needs the sequencer key (p2p.sequencer.key)')
    }
    const p = envelope.executionPayload
    const version = payloadVersionAt(this.opts.chain, p.timestamp)
    const data = encodeGossipMessage(envelope, version, this.chainId, this.signerKey)
    const res = await this.pubsub().publish(blocksTopic(this.chainId, version), data)
    this.log.debug(
      { unsafe: { number: Number(p.blockNumber), hash: bytesToHex(p.blockHash) }, peers: res.recipients.length },
      'Published unsafe block',
    )
  }

  private async validateMessage(version: PayloadVersion, from: PeerId, msg: Message): Promise<TopicValidatorResult> {
    const peer = from.toString()
    try {
      const res = await this.validator.validate(version, msg.data)
      const reason = res.verdict === 'accept' ? undefined : res.reason
      if (res.verdict === 'accept') this.validated.set(msg, res.envelope)
      else this.log.warn({ peer, verdict: res.verdict, reason }, 'Gossiped block not accepted')
      this.opts.onValidation?.(res.verdict, reason, peer)
      return VERDICT_RESULT[res.verdict]
    } catch (err) {
      // A throwing verifyBlockHash is the node's fault, not the peer's: drop without penalty.
      this.log.error({ peer, err }, 'Gossip validation failed')
      this.opts.onValidation?.('ignore', errorMessage(err), peer)
      return TopicValidatorResult.Ignore
    }
  }

  private deliver({ msg, propagationSource }: GossipsubMessage): void {
    const envelope = this.validated.get(msg)
    if (!envelope) return
    this.validated.delete(msg)
    const from = propagationSource.toString()
    const p = envelope.executionPayload
    this.log.debug(
      { unsafe: { number: Number(p.blockNumber), hash: bytesToHex(p.blockHash) } },
      'Received unsafe block',
    )
    const handler = this.opts.onUnsafeBlock
    if (!handler) return
    Promise.resolve()
      .then(() => handler(envelope, from))
      .catch((err) => this.log.error({ err }, 'Unsafe block handler failed'))
  }

  private async connectStaticPeers(node: Node): Promise<void> {
    for (const { addr, id } of this.staticPeers) {
      // keep-alive makes libp2p redial the peer (with backoff) whenever the connection drops
      await node.peerStore.merge(id, { multiaddrs: [addr], tags: { [KEEP_ALIVE]: { value: 1 } } })
      try {
        await node.dial(id)
      } catch (err) {
        this.log.warn({ peer: id.toString(), err: errorMessage(err) }, 'Static peer not reachable yet')
      }
    }
  }

  /** Backstop for libp2p's bounded reconnect attempts: static peers are retried for as long as the node runs. */
  private async redialStaticPeers(node: Node): Promise<void> {
    for (const { addr, id } of this.staticPeers) {
      if (this.node !== node) return
      if (node.getConnections(id).length > 0) continue
      try {
        await node.dial(addr)
        this.log.info({ peer: id.toString() }, 'Static peer reconnected')
      } catch (err) {
        this.log.debug({ peer: id.toString(), err: errorMessage(err) }, 'Static peer still unreachable')
      }
    }
  }

  private started(): Node {
    if (!this.node) throw new P2PError('P2P_NOT_STARTED', 'P2P is not started: call start() first')
    return this.node
  }

  private pubsub(): BlocksPubSub {
    return this.started().services.pubsub
  }
}
