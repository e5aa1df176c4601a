import { RLP } from '@ethereumjs/rlp'
import { EMPTY_TRIE_ROOT } from '../header.ts'
import { bigintToBytes } from '../state/account.ts'
import {
  branch,
  bytesToNibbles,
  commonPrefixLength,
  EMPTY_BRANCH_CHILDREN,
  ext,
  leaf,
  type NibblePath,
  nodeHash,
  type Ref,
  type TrieNode,
} from './nodes.ts'

// Root of an ordered list (transactions, receipts): a trie keyed by rlp(index), built synchronously in
// memory (no storage, no deletes), hashed once.

function insert(node: TrieNode | null, path: NibblePath, off: number, value: Uint8Array): TrieNode {
  if (!node) return leaf(path.subarray(off), value)
  const rest = path.length - off
  if (node.kind === 'branch') {
    if (off === path.length) return branch(node.children, value)
    const idx = path[off] as number
    const children = node.children.slice()
    children[idx] = insert((node.children[idx] as TrieNode | null) ?? null, path, off + 1, value)
    return branch(children, node.value)
  }
  const common = commonPrefixLength(node.path, 0, path, off)
  if (node.kind === 'ext' && common === node.path.length) {
    return ext(node.path, insert(node.child as TrieNode, path, off + common, value))
  }
  if (node.kind === 'leaf' && common === node.path.length && common === rest) return leaf(node.path, value)
  const children: (Ref | null)[] = EMPTY_BRANCH_CHILDREN.slice()
  let bValue: Uint8Array | null = null
  if (node.kind === 'leaf') {
    if (common === node.path.length) bValue = node.value
    else children[node.path[common] as number] = leaf(node.path.subarray(common + 1), node.value)
  } else {
    children[node.path[common] as number] =
      common + 1 === node.path.length ? node.child : ext(node.path.subarray(common + 1), node.child)
  }
  if (common === rest) bValue = value
  else children[path[off + common] as number] = leaf(path.subarray(off + common + 1), value)
  const b = branch(children, bValue)
  return common > 0 ? ext(node.path.subarray(0, common), b) : b
}

export function orderedTrieRoot(items: readonly Uint8Array[]): Uint8Array {
  if (items.length === 0) return EMPTY_TRIE_ROOT
  let root: TrieNode | null = null
  for (let i = 0; i < items.length; i++) {
    const key = RLP.encode(i === 0 ? new Uint8Array(0) : bigintToBytes(BigInt(i)))
    root = insert(root, bytesToNibbles(key), 0, items[i] as Uint8Array)
  }
  return nodeHash(root as TrieNode)
}
