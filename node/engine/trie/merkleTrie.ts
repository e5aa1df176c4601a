import { keccak256 as keccak_256 } from '../../../config/keccak.ts'
import { EMPTY_TRIE_ROOT } from '../header.ts'
import {
  type BranchNode,
  branch,
  bytesToNibbles,
  commonPrefixLength,
  concatNibbles,
  EMPTY_BRANCH_CHILDREN,
  encodeNode,
  ext,
  hashRef,
  leaf,
  type NibblePath,
  nodeHash,
  type Ref,
  type TrieNode,
} from './nodes.ts'

/** Where unresolved (hash-referenced) nodes come from. Implementations may cache decoded nodes: they are immutable. */
export interface NodeSource {
  resolve(hash: Uint8Array): Promise<TrieNode>
}

/** Receives the nodes a commit created: (hash, rlp). */
export type NodeSink = (hash: Uint8Array, rlp: Uint8Array) => void

function isEmptyRoot(hash: Uint8Array): boolean {
  if (hash.length !== 32) return false
  for (let i = 0; i < 32; i++) if (hash[i] !== EMPTY_TRIE_ROOT[i]) return false
  return true
}

/**
 * A Merkle Patricia trie with lazy hashing: puts and deletes only rebuild the touched path as node objects;
 * hashes are computed once per node at commit/rootHash. Keys are raw (the caller hashes them for secure tries).
 */
export class MerkleTrie {
  private root: Ref | null

  constructor(
    private readonly source: NodeSource,
    root: Ref | null = null,
  ) {
    this.root = root
  }

  static atRoot(source: NodeSource, rootHash: Uint8Array): MerkleTrie {
    return new MerkleTrie(source, isEmptyRoot(rootHash) ? null : hashRef(rootHash))
  }

  /** The current root reference (resolved objects are shared, never mutated). */
  get rootRef(): Ref | null {
    return this.root
  }

  private async resolve(ref: Ref): Promise<TrieNode> {
    return ref.kind === 'hash' ? this.source.resolve(ref.hash) : ref
  }

  async get(key: Uint8Array): Promise<Uint8Array | undefined> {
    const path = bytesToNibbles(key)
    let ref = this.root
    let off = 0
    while (ref) {
      const node = ref.kind === 'hash' ? await this.source.resolve(ref.hash) : ref
      switch (node.kind) {
        case 'leaf': {
          if (node.path.length !== path.length - off) return undefined
          return commonPrefixLength(node.path, 0, path, off) === node.path.length ? node.value : undefined
        }
        case 'ext': {
          if (commonPrefixLength(node.path, 0, path, off) !== node.path.length) return undefined
          off += node.path.length
          ref = node.child
          break
        }
        case 'branch': {
          if (off === path.length) return node.value ?? undefined
          ref = node.children[path[off] as number] ?? null
          off++
          break
        }
      }
    }
    return undefined
  }

  /**
   * Merkle proof for `key` (eth_getProof): the RLP of every node on the path that is referenced by hash
   * (the root included); embedded nodes are part of their parent's RLP. Works for absent keys too.
   */
  async prove(key: Uint8Array): Promise<Uint8Array[]> {
    const path = bytesToNibbles(key)
    const out: Uint8Array[] = []
    let ref = this.root
    let off = 0
    let byHash = true
    while (ref) {
      const node = ref.kind === 'hash' ? await this.source.resolve(ref.hash) : ref
      const rlp = encodeNode(node).rlp
      if (byHash || rlp.length >= 32) out.push(rlp)
      byHash = false
      if (node.kind === 'leaf') break
      if (node.kind === 'ext') {
        if (commonPrefixLength(node.path, 0, path, off) !== node.path.length) break
        off += node.path.length
        ref = node.child
      } else {
        if (off === path.length) break
        ref = node.children[path[off] as number] ?? null
        off++
      }
    }
    return out
  }

  async put(key: Uint8Array, value: Uint8Array): Promise<void> {
    if (value.length === 0) return this.del(key)
    this.root = await this.insert(this.root, bytesToNibbles(key), 0, value)
  }

  async del(key: Uint8Array): Promise<void> {
    if (!this.root) return
    const res = await this.remove(this.root, bytesToNibbles(key), 0)
    if (res !== NOT_FOUND) this.root = res
  }

  private async insert(ref: Ref | null, path: NibblePath, off: number, value: Uint8Array): Promise<TrieNode> {
    if (!ref) return leaf(path.subarray(off), value)
    const node = await this.resolve(ref)
    const rest = path.length - off
    switch (node.kind) {
      case 'leaf': {
        const common = commonPrefixLength(node.path, 0, path, off)
        if (common === node.path.length && common === rest) return leaf(node.path, value)
        const children: (Ref | null)[] = EMPTY_BRANCH_CHILDREN.slice()
        let bValue: Uint8Array | null = null
        if (common === node.path.length) bValue = node.value
        else children[node.path[common] as number] = leaf(node.path.subarray(common + 1), node.value)
        if (common === rest) bValue = value
        else children[path[off + common] as number] = leaf(path.subarray(off + common + 1), value)
        const b = branch(children, bValue)
        return common > 0 ? ext(node.path.subarray(0, common), b) : b
      }
      case 'ext': {
        const common = commonPrefixLength(node.path, 0, path, off)
        if (common === node.path.length) {
          return ext(node.path, await this.insert(node.child, path, off + common, value))
        }
        const children: (Ref | null)[] = EMPTY_BRANCH_CHILDREN.slice()
        let bValue: Uint8Array | null = null
        children[node.path[common] as number] =
          common + 1 === node.path.length ? node.child : ext(node.path.subarray(common + 1), node.child)
        if (common === rest) bValue = value
        else children[path[off + common] as number] = leaf(path.subarray(off + common + 1), value)
        const b = branch(children, bValue)
        return common > 0 ? ext(node.path.subarray(0, common), b) : b
      }
      case 'branch': {
        if (off === path.length) return branch(node.children, value)
        const idx = path[off] as number
        const children = node.children.slice()
        children[idx] = await this.insert(node.children[idx] ?? null, path, off + 1, value)
        return branch(children, node.value)
      }
    }
  }

  /** Returns the new subtree (null when it became empty), or NOT_FOUND when the key was absent. */
  private async remove(ref: Ref, path: NibblePath, off: number): Promise<TrieNode | null | typeof NOT_FOUND> {
    const node = await this.resolve(ref)
    switch (node.kind) {
      case 'leaf': {
        const rest = path.length - off
        if (node.path.length === rest && commonPrefixLength(node.path, 0, path, off) === rest) return null
        return NOT_FOUND
      }
      case 'ext': {
        if (commonPrefixLength(node.path, 0, path, off) !== node.path.length) return NOT_FOUND
        const child = await this.remove(node.child, path, off + node.path.length)
        if (child === NOT_FOUND) return NOT_FOUND
        if (child === null) return null
        return this.joinExtension(node.path, child)
      }
      case 'branch': {
        let children = node.children
        let value = node.value
        if (off === path.length) {
          if (!value) return NOT_FOUND
          value = null
        } else {
          const idx = path[off] as number
          const c = node.children[idx]
          if (!c) return NOT_FOUND
          const res = await this.remove(c, path, off + 1)
          if (res === NOT_FOUND) return NOT_FOUND
          const copy = node.children.slice()
          copy[idx] = res
          children = copy
        }
        return this.collapseBranch(children, value)
      }
    }
  }

  /** A branch left with one entry is folded into its parent position, as the trie must stay canonical. */
  private async collapseBranch(children: readonly (Ref | null)[], value: Uint8Array | null): Promise<TrieNode | null> {
    let count = 0
    let only = -1
    for (let i = 0; i < 16; i++) {
      if (children[i]) {
        count++
        only = i
      }
    }
    if (count === 0) return value ? leaf(new Uint8Array(0), value) : null
    if (count === 1 && !value) {
      const child = await this.resolve(children[only] as Ref)
      const prefix = Uint8Array.of(only)
      if (child.kind === 'leaf') return leaf(concatNibbles(prefix, child.path), child.value)
      if (child.kind === 'ext') return ext(concatNibbles(prefix, child.path), child.child)
      return ext(prefix, child)
    }
    return branch(children, value)
  }

  private joinExtension(path: NibblePath, child: TrieNode): TrieNode {
    if (child.kind === 'leaf') return leaf(concatNibbles(path, child.path), child.value)
    if (child.kind === 'ext') return ext(concatNibbles(path, child.path), child.child)
    return ext(path, child as BranchNode)
  }

  /** Root hash; computes hashes of new nodes (cached on them). */
  rootHash(): Uint8Array {
    if (!this.root) return EMPTY_TRIE_ROOT
    if (this.root.kind === 'hash') return this.root.hash
    return nodeHash(this.root)
  }

  /**
   * Hashes and emits every node created since the last commit (those referenced by hash, plus the root),
   * marks them stored, and returns the root hash.
   */
  commit(sink: NodeSink): Uint8Array {
    if (!this.root) return EMPTY_TRIE_ROOT
    if (this.root.kind === 'hash') return this.root.hash
    const rootHash = nodeHash(this.root)
    emitNew(this.root, sink, true)
    return rootHash
  }
}

const NOT_FOUND = Symbol('not-found')

function emitNew(node: TrieNode, sink: NodeSink, isRoot: boolean): void {
  if (node.stored) return
  if (node.kind === 'ext') {
    if (node.child.kind !== 'hash') emitNew(node.child, sink, false)
  } else if (node.kind === 'branch') {
    for (const c of node.children) if (c && c.kind !== 'hash') emitNew(c, sink, false)
  }
  const e = encodeNode(node)
  if (isRoot || e.rlp.length >= 32) {
    if (!e.hash) e.hash = keccak_256(e.rlp)
    sink(e.hash, e.rlp)
  }
  node.stored = true
}
