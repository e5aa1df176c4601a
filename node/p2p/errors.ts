import { NodeError } from '../../config/errors.ts'

// Errors of the P2P layer. Decode errors describe a malformed gossip message (the peer is at fault, the message is
// rejected); setup errors tell the operator which option to fix.

export type P2PErrorCode =
  | 'P2P_SSZ_INVALID'
  | 'P2P_SNAPPY_INVALID'
  | 'P2P_MESSAGE_SIZE'
  | 'P2P_SIGNATURE_INVALID'
  | 'P2P_PEER_KEY_INVALID'
  | 'P2P_NOT_STARTED'
  | 'P2P_NO_SIGNER'

export class P2PError extends NodeError<P2PErrorCode> {}

/** A gossiped block message that cannot be decoded: the sending peer is at fault. */
export class GossipDecodeError extends P2PError {}
