import { existsSync, readFileSync } from 'node:fs'
import { generateKeyPair, privateKeyFromRaw } from '@libp2p/crypto/keys'
import type { PrivateKey } from '@libp2p/interface'
import { writeFileAtomic } from '../atomicFile.ts'
import { P2PError } from './errors.ts'

// The node's libp2p identity. Stored like op-node's --p2p.priv.path: the raw 32-byte secp256k1 key as hex, so
// a key file moves between oln and op-node and the peer id survives restarts (static peers refer to it).

/** Reads the key file, or creates it (mode 0600) with a new secp256k1 key when it does not exist. */
export async function loadOrCreatePeerKey(path: string): Promise<PrivateKey> {
  if (existsSync(path)) return readPeerKey(path)
  const key = await generateKeyPair('secp256k1')
  writeFileAtomic(path, `${Buffer.from(key.raw).toString('hex')}\n`, 0o600)
  return key
}

export function readPeerKey(path: string): PrivateKey {
  const text = readFileSync(path, 'utf8').trim().replace(/^0x/, '')
  if (!/^[0-9a-fA-F]{64}$/.test(text)) {
    throw new P2PError(
      'P2P_PEER_KEY_INVALID',
      `peer key file ${path} must hold a 32-byte secp256k1 private key as hex; delete it to generate a new one`,
      { path },
    )
  }
  try {
    return privateKeyFromRaw(Buffer.from(text, 'hex'))
  } catch (err) {
    throw new P2PError(
      'P2P_PEER_KEY_INVALID',
      `peer key file ${path} holds an invalid secp256k1 key`,
      { path },
      {
        cause: err,
      },
    )
  }
}
