import type { ExecutionPayloadEnvelope } from '../config/executionPayload.ts'

// The P2P layer as the sequencer sees it: every new unsafe block is handed over to be signed with the unsafe
// block signer key and gossiped on op-node's blocks topic. Implemented by the libp2p gossip service in `node`;
// a no-op when P2P is disabled. Publishing never blocks block production: failures are logged by the publisher.

export interface UnsafeBlockPublisher {
  publish(envelope: ExecutionPayloadEnvelope): Promise<void>
}
