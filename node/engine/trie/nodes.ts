import { RLP } from '@ethereumjs/rlp'
import { keccak256 as keccak_256 } from '../../../config/keccak.ts'

// Trie nodes are immutable: an update builds new nodes along the path and shares every untouched subtree.
// That lets the next block start from the previous block's root object without re-reading the database,
// and lets hashes be cached on the node forever (computed once, lazily, at commit).

export type NibblePath = Uint8Array

export interface LeafNode {
  readonly kind: 'leaf'
  readonly path: NibblePath
  readonly value: Uint8Array
  /** Cached RLP encoding and (when >= 32 bytes or root) hash; set at first encode. */
  enc?: Encoded
  /** True when this node already exists in the database (loaded from it or previously committed). */
  stored?: boolean
}

export interface ExtensionNode {
  readonly kind: 'ext'
  readonly path: NibblePath
  readonly child: Ref
  enc?: Encoded
  stored?: boolean
}

export interface BranchNode {
  readonly kind: 'branch'
  readonly children: readonly (Ref | null)[]
  readonly value: Uint8Array | null
  enc?: Encoded
  stored?: boolean
}

export type TrieNode = LeafNode | ExtensionNode | BranchNode
/** A child reference: a resolved node, or the 32-byte hash of a node still in the database. */
export type Ref = TrieNode | HashRef

export interface HashRef {
  readonly kind: 'hash'
  readonly hash: Uint8Array
}

export interface Encoded {
  rlp: Uint8Array
  /** keccak(rlp), computed only when the node is referenced by hash (rlp >= 32 bytes) or is a root. */
  hash?: Uint8Array
}

export function hashRef(hash: Uint8Array): HashRef {
  return { kind: 'hash', hash }
}

export function leaf(path: NibblePath, value: Uint8Array): LeafNode {
  return { kind: 'leaf', path, value }
}

export function ext(path: NibblePath, child: Ref): ExtensionNode {
  return { kind: 'ext', path, child }
}

export function branch(children: readonly (Ref | null)[], value: Uint8Array | null): BranchNode {
  return { kind: 'branch', children, value }
}

export const EMPTY_BRANCH_CHILDREN: readonly null[] = Object.freeze(new Array(16).fill(null))

// --- nibble helpers -------------------------------------------------------------------------------------

export function bytesToNibbles(key: Uint8Array): NibblePath {
  const out = new Uint8Array(key.length * 2)
  for (let i = 0; i < key.length; i++) {
    const b = key[i] as number
    out[2 * i] = b >> 4
    out[2 * i + 1] = b & 0x0f
  }
  return out
}

export function nibblesToBytes(n: NibblePath): Uint8Array {
  const out = new Uint8Array(n.length >> 1)
  for (let i = 0; i < out.length; i++) out[i] = ((n[2 * i] as number) << 4) | (n[2 * i + 1] as number)
  return out
}

export function commonPrefixLength(a: NibblePath, aOff: number, b: NibblePath, bOff: number): number {
  const max = Math.min(a.length - aOff, b.length - bOff)
  let i = 0
  while (i < max && a[aOff + i] === b[bOff + i]) i++
  return i
}

export function concatNibbles(...parts: NibblePath[]): NibblePath {
  let len = 0
  for (const p of parts) len += p.length
  const out = new Uint8Array(len)
  let o = 0
  for (const p of parts) {
    out.set(p, o)
    o += p.length
  }
  return out
}

/** Hex-prefix (compact) encoding of a nibble path with the leaf flag. */
export function encodeCompact(path: NibblePath, isLeaf: boolean): Uint8Array {
  const odd = path.length & 1
  const flag = (isLeaf ? 2 : 0) + odd
  const out = new Uint8Array((path.length >> 1) + 1)
  let i = 0
  if (odd) {
    out[0] = (flag << 4) | (path[0] as number)
    i = 1
  } else {
    out[0] = flag << 4
  }
  for (let o = 1; i < path.length; i += 2, o++) out[o] = ((path[i] as number) << 4) | (path[i + 1] as number)
  return out
}

export function decodeCompact(b: Uint8Array): { path: NibblePath; isLeaf: boolean } {
  if (b.length === 0) throw new Error('trie: empty compact path')
  const flag = (b[0] as number) >> 4
  if (flag > 3) throw new Error(`trie: bad compact flag ${flag}`)
  const odd = flag & 1
  const nibbles = bytesToNibbles(b)
  return { path: nibbles.subarray(odd ? 1 : 2), isLeaf: flag >= 2 }
}

// --- encoding -----------------------------------------------------------------------------------------

type RlpItem = Uint8Array | RlpItem[]

/** The RLP structure of a node, with children embedded (< 32 bytes) or referenced by hash. */
function structure(node: TrieNode): RlpItem {
  switch (node.kind) {
    case 'leaf':
      return [encodeCompact(node.path, true), node.value]
    case 'ext':
      return [encodeCompact(node.path, false), childItem(node.child)]
    case 'branch': {
      const items: RlpItem[] = new Array(17)
      for (let i = 0; i < 16; i++) {
        const c = node.children[i]
        items[i] = c ? childItem(c) : EMPTY
      }
      items[16] = node.value ?? EMPTY
      return items
    }
  }
}

const EMPTY = new Uint8Array(0)

function childItem(ref: Ref): RlpItem {
  if (ref.kind === 'hash') return ref.hash
  const e = encodeNode(ref)
  if (e.rlp.length < 32) return RLP.decode(e.rlp) as RlpItem
  if (!e.hash) e.hash = keccak_256(e.rlp)
  return e.hash
}

export function encodeNode(node: TrieNode): Encoded {
  if (node.enc) return node.enc
  const enc: Encoded = { rlp: RLP.encode(structure(node) as never) }
  node.enc = enc
  return enc
}

/** Hash of a node as a root (always keccak of the RLP, even when short). */
export function nodeHash(node: TrieNode): Uint8Array {
  const e = encodeNode(node)
  if (!e.hash) e.hash = keccak_256(e.rlp)
  return e.hash
}

/** Decodes a stored node; embedded children are decoded in place, hashed children stay references. */
export function decodeNode(rlp: Uint8Array, hash?: Uint8Array): TrieNode {
  const node = fromItem(RLP.decode(rlp) as RlpItem)
  node.enc = hash ? { rlp, hash } : { rlp }
  node.stored = true
  return node
}

function fromItem(item: RlpItem): TrieNode {
  if (!Array.isArray(item)) throw new Error('trie: node is not a list')
  if (item.length === 17) {
    const children: (Ref | null)[] = new Array(16)
    for (let i = 0; i < 16; i++) children[i] = refFromItem(item[i] as RlpItem)
    const v = item[16] as Uint8Array
    const node = branch(children, v.length === 0 ? null : v)
    return node
  }
  if (item.length === 2) {
    const { path, isLeaf } = decodeCompact(item[0] as Uint8Array)
    if (isLeaf) return leaf(path, item[1] as Uint8Array)
    const child = refFromItem(item[1] as RlpItem)
    if (!child) throw new Error('trie: extension without child')
    return ext(path, child)
  }
  throw new Error(`trie: node list of length ${item.length}`)
}

function refFromItem(item: RlpItem): Ref | null {
  if (Array.isArray(item)) {
    const n = fromItem(item)
    n.stored = true
    return n
  }
  if (item.length === 0) return null
  if (item.length === 32) return hashRef(item)
  throw new Error(`trie: bad child reference of ${item.length} bytes`)
}
