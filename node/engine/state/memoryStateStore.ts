import { MemoryNodeSource } from '../trie/memoryNodeSource.ts'
import type { StateStore } from './stateDB.ts'

/** An in-memory StateStore (trie nodes and code), for genesis building and tests. */
export class MemoryStateStore extends MemoryNodeSource implements StateStore {
  readonly code = new Map<string, Uint8Array>()

  async getCode(codeHash: Uint8Array): Promise<Uint8Array | undefined> {
    return this.code.get(Buffer.from(codeHash).toString('hex'))
  }
}
