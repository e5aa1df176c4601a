import { RLP } from '@ethereumjs/rlp'
import { concatBytes } from '../../../config/bytes.ts'
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

export function commonPrefixLength(a: NibblePath, aOff: number, b: NibblePath, bOff: number): number {
  const max = Math.min(a.length - aOff, b.length - bOff)
  let i = 0
  while (i < max && a[aOff + i] === b[bOff + i]) i++
  return i
}

/** Nibble paths are plain byte arrays of nibbles, so joining them is a byte concatenation. */
export const concatNibbles: (...parts: NibblePath[]) => NibblePath = concatBytes

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

const EMPTY = new Uint8Array(0)

// Direct RLP writer for the three node shapes: children are written as their 32-byte hash string or, when
// shorter than 32 bytes, embedded as their own RLP (no decode/re-encode round trip).

function strLen(b: Uint8Array): number {
  if (b.length === 1 && (b[0] as number) < 0x80) return 1
  if (b.length <= 55) return 1 + b.length
  return 1 + lenOfLen(b.length) + b.length
}

function lenOfLen(n: number): number {
  let l = 0
  while (n > 0) {
    l++
    n = Math.floor(n / 256)
  }
  return l
}

function writeStr(out: Uint8Array, o: number, b: Uint8Array): number {
  if (b.length === 1 && (b[0] as number) < 0x80) {
    out[o] = b[0] as number
    return o + 1
  }
  if (b.length <= 55) {
    out[o++] = 0x80 + b.length
  } else {
    const ll = lenOfLen(b.length)
    out[o++] = 0xb7 + ll
    for (let i = ll - 1; i >= 0; i--) out[o++] = Math.floor(b.length / 256 ** i) & 0xff
  }
  out.set(b, o)
  return o + b.length
}

function listHeaderLen(payload: number): number {
  return payload <= 55 ? 1 : 1 + lenOfLen(payload)
}

function writeListHeader(out: Uint8Array, payload: number): number {
  if (payload <= 55) {
    out[0] = 0xc0 + payload
    return 1
  }
  const ll = lenOfLen(payload)
  out[0] = 0xf7 + ll
  for (let i = 0; i < ll; i++) out[1 + i] = Math.floor(payload / 256 ** (ll - 1 - i)) & 0xff
  return 1 + ll
}

/** A child as it appears inside its parent: raw RLP when embedded (< 32 bytes), else the hash string. */
function childEnc(ref: Ref): { raw: Uint8Array; embedded: boolean } {
  if (ref.kind === 'hash') return { raw: ref.hash, embedded: false }
  const e = encodeNode(ref)
  if (e.rlp.length < 32) return { raw: e.rlp, embedded: true }
  if (!e.hash) e.hash = keccak_256(e.rlp)
  return { raw: e.hash, embedded: false }
}

function encodeTwo(a: Uint8Array, b: { raw: Uint8Array; embedded: boolean }): Uint8Array {
  const payload = strLen(a) + (b.embedded ? b.raw.length : strLen(b.raw))
  const out = new Uint8Array(listHeaderLen(payload) + payload)
  let o = writeListHeader(out, payload)
  o = writeStr(out, o, a)
  if (b.embedded) out.set(b.raw, o)
  else writeStr(out, o, b.raw)
  return out
}

function encodeBranch(node: BranchNode): Uint8Array {
  const kids: ({ raw: Uint8Array; embedded: boolean } | null)[] = new Array(16)
  let payload = 0
  for (let i = 0; i < 16; i++) {
    const c = node.children[i]
    if (!c) {
      kids[i] = null
      payload += 1
      continue
    }
    const k = childEnc(c)
    kids[i] = k
    payload += k.embedded ? k.raw.length : strLen(k.raw)
  }
  const value = node.value ?? EMPTY
  payload += strLen(value)
  const out = new Uint8Array(listHeaderLen(payload) + payload)
  let o = writeListHeader(out, payload)
  for (let i = 0; i < 16; i++) {
    const k = kids[i]
    if (!k) out[o++] = 0x80
    else if (k.embedded) {
      out.set(k.raw, o)
      o += k.raw.length
    } else o = writeStr(out, o, k.raw)
  }
  writeStr(out, o, value)
  return out
}

export function encodeNode(node: TrieNode): Encoded {
  if (node.enc) return node.enc
  let rlp: Uint8Array
  switch (node.kind) {
    case 'leaf':
      rlp = encodeTwo(encodeCompact(node.path, true), { raw: node.value, embedded: false })
      break
    case 'ext':
      rlp = encodeTwo(encodeCompact(node.path, false), childEnc(node.child))
      break
    case 'branch':
      rlp = encodeBranch(node)
      break
  }
  const enc: Encoded = { rlp }
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
