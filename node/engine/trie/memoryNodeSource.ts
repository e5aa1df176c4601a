import type { NodeSink, NodeSource } from './merkleTrie.ts'
import { decodeNode, type TrieNode } from './nodes.ts'

/** A node source over a plain Map (hex hash → rlp). For tests and in-memory tries. */
export class MemoryNodeSource implements NodeSource {
  readonly nodes = new Map<string, Uint8Array>()

  readonly sink: NodeSink = (hash, rlp) => {
    this.nodes.set(Buffer.from(hash).toString('hex'), rlp)
  }

  async resolve(hash: Uint8Array): Promise<TrieNode> {
    const rlp = this.nodes.get(Buffer.from(hash).toString('hex'))
    if (!rlp) throw new Error(`trie node ${Buffer.from(hash).toString('hex')} missing`)
    return decodeNode(rlp, hash)
  }
}
