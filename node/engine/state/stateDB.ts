import type { StateManagerInterface } from '@ethereumjs/common'
import { RLP } from '@ethereumjs/rlp'
import { OriginalStorageCache } from '@ethereumjs/statemanager'
import { Account, type Address, bytesToUnprefixedHex } from '@ethereumjs/util'
import { keccak256 as keccak_256 } from '../../../config/keccak.ts'
import { EMPTY_TRIE_ROOT } from '../header.ts'
import { MerkleTrie, type NodeSink, type NodeSource } from '../trie/merkleTrie.ts'
import { hashRef, type Ref } from '../trie/nodes.ts'
import {
  type AccountRecord,
  bytesEqual,
  decodeAccount,
  EMPTY_ACCOUNT,
  encodeAccount,
  isEmptyAccount,
  KECCAK_EMPTY,
  unpad,
} from './account.ts'

/** Persistent backing of the state: trie nodes and contract code, both content-addressed. */
export interface StateStore extends NodeSource {
  getCode(codeHash: Uint8Array): Promise<Uint8Array | undefined>
}

/**
 * Recently committed trie roots kept as resolved node objects, keyed by root hash. Nodes are immutable, so the
 * next block (or a storage trie touched again) starts from the in-memory tree instead of re-reading the DB.
 */
export class TrieRootCache {
  private readonly roots = new Map<string, Ref>()
  constructor(private readonly max = 8192) {}

  get(root: Uint8Array): Ref | null {
    if (bytesEqual(root, EMPTY_TRIE_ROOT)) return null
    const k = bytesToUnprefixedHex(root)
    const r = this.roots.get(k)
    if (r) {
      this.roots.delete(k)
      this.roots.set(k, r)
      return r
    }
    return hashRef(root)
  }

  set(root: Uint8Array, ref: Ref | null): void {
    if (!ref || ref.kind === 'hash') return
    const k = bytesToUnprefixedHex(root)
    this.roots.delete(k)
    this.roots.set(k, ref)
    if (this.roots.size > this.max) {
      const oldest = this.roots.keys().next().value as string
      this.roots.delete(oldest)
    }
  }

  clear(): void {
    this.roots.clear()
  }
}

interface Entry {
  address: Uint8Array
  /** keccak(address): the account trie key. */
  key: Uint8Array
  account: AccountRecord | null
  /** Current storage values (unpadded; empty = zero) that were read or written. */
  storage: Map<string, Uint8Array>
  /** Slots written since the last flush. */
  dirtySlots: Set<string>
  /** Storage wiped (account destroyed/recreated): reads below the map see zero. */
  storageCleared: boolean
  /** Storage trie as of the last flush (null until first needed). */
  storageTrie: MerkleTrie | null
  dirty: boolean
}

type JournalEntry =
  | { t: 'account'; e: Entry; prev: AccountRecord | null }
  | { t: 'slot'; e: Entry; slot: string; prev: Uint8Array | undefined; wasDirty: boolean }
  | { t: 'clear'; e: Entry; storage: Map<string, Uint8Array>; dirtySlots: Set<string>; cleared: boolean }

const EMPTY_BYTES = new Uint8Array(0)

function slotKey(hexSlot: string): Uint8Array {
  return keccak_256(Buffer.from(hexSlot, 'hex'))
}

/**
 * The engine's state: an account/storage overlay with a journal (checkpoint/commit/revert, as the EVM needs)
 * over MerkleTries. State roots are computed once per block by `flush` + `commit`.
 * Implements ethereumjs' StateManagerInterface so the EVM runs on it unchanged.
 */
export class StateDB implements StateManagerInterface {
  readonly originalStorageCache: OriginalStorageCache
  private accountTrie: MerkleTrie
  private readonly entries = new Map<string, Entry>()
  private journal: JournalEntry[] = []
  private readonly checkpoints: number[] = []
  private readonly newCode = new Map<string, Uint8Array>()
  private readonly codeCache = new Map<string, Uint8Array>()

  constructor(
    private readonly store: StateStore,
    stateRoot: Uint8Array,
    private readonly roots: TrieRootCache = new TrieRootCache(),
  ) {
    this.accountTrie = new MerkleTrie(store, roots.get(stateRoot))
    this.originalStorageCache = new OriginalStorageCache(this.getStorage.bind(this))
  }

  // --- account access -------------------------------------------------------------------------------

  private async entry(address: Uint8Array): Promise<Entry> {
    const k = bytesToUnprefixedHex(address)
    let e = this.entries.get(k)
    if (e) return e
    const key = keccak_256(address)
    const raw = await this.accountTrie.get(key)
    e = {
      address,
      key,
      account: raw ? decodeAccount(raw) : null,
      storage: new Map(),
      dirtySlots: new Set(),
      storageCleared: false,
      storageTrie: null,
      dirty: false,
    }
    this.entries.set(k, e)
    return e
  }

  private setAccount(e: Entry, account: AccountRecord | null): void {
    // Without an open checkpoint nothing can be reverted, so there is nothing to journal.
    if (this.checkpoints.length > 0) this.journal.push({ t: 'account', e, prev: e.account })
    e.account = account
    e.dirty = true
  }

  /** Fast-path reads/writes for the engine (no ethereumjs Account objects). */
  async readAccount(address: Uint8Array): Promise<AccountRecord | null> {
    return (await this.entry(address)).account
  }

  async writeAccount(address: Uint8Array, account: AccountRecord | null): Promise<void> {
    this.setAccount(await this.entry(address), account)
  }

  async addBalance(address: Uint8Array, amount: bigint): Promise<void> {
    const e = await this.entry(address)
    const a = e.account ?? EMPTY_ACCOUNT
    this.setAccount(e, { ...a, balance: a.balance + amount })
  }

  async getAccount(address: Address): Promise<Account | undefined> {
    const a = (await this.entry(address.bytes)).account
    if (!a) return undefined
    return new Account(a.nonce, a.balance, a.storageRoot, a.codeHash)
  }

  async putAccount(address: Address, account?: Account): Promise<void> {
    const e = await this.entry(address.bytes)
    if (!account) return this.deleteEntry(e)
    this.setAccount(e, {
      nonce: account.nonce,
      balance: account.balance,
      storageRoot: e.account?.storageRoot ?? EMPTY_TRIE_ROOT,
      codeHash: account.codeHash,
    })
  }

  async deleteAccount(address: Address): Promise<void> {
    return this.deleteEntry(await this.entry(address.bytes))
  }

  private deleteEntry(e: Entry): void {
    this.clearEntryStorage(e)
    this.setAccount(e, null)
  }

  async modifyAccountFields(
    address: Address,
    fields: { nonce?: bigint; balance?: bigint; codeHash?: Uint8Array; storageRoot?: Uint8Array },
  ): Promise<void> {
    const e = await this.entry(address.bytes)
    const a = e.account ?? EMPTY_ACCOUNT
    this.setAccount(e, {
      nonce: fields.nonce ?? a.nonce,
      balance: fields.balance ?? a.balance,
      storageRoot: a.storageRoot,
      codeHash: fields.codeHash ?? a.codeHash,
    })
  }

  // --- code -----------------------------------------------------------------------------------------

  async putCode(address: Address, code: Uint8Array): Promise<void> {
    const hash = keccak_256(code)
    const hk = bytesToUnprefixedHex(hash)
    if (code.length > 0) {
      this.newCode.set(hk, code)
      this.codeCache.set(hk, code)
    }
    await this.modifyAccountFields(address, { codeHash: code.length > 0 ? hash : KECCAK_EMPTY })
  }

  async getCodeByHash(codeHash: Uint8Array): Promise<Uint8Array> {
    if (bytesEqual(codeHash, KECCAK_EMPTY)) return EMPTY_BYTES
    const hk = bytesToUnprefixedHex(codeHash)
    let code = this.codeCache.get(hk)
    if (code) return code
    code = await this.store.getCode(codeHash)
    if (!code) throw new Error(`state: code ${hk} missing from the database`)
    this.codeCache.set(hk, code)
    return code
  }

  async getCode(address: Address): Promise<Uint8Array> {
    const a = (await this.entry(address.bytes)).account
    return a ? this.getCodeByHash(a.codeHash) : EMPTY_BYTES
  }

  async getCodeSize(address: Address): Promise<number> {
    return (await this.getCode(address)).length
  }

  // --- storage --------------------------------------------------------------------------------------

  private storageTrieOf(e: Entry): MerkleTrie {
    if (!e.storageTrie) {
      const root = e.storageCleared || !e.account ? EMPTY_TRIE_ROOT : e.account.storageRoot
      e.storageTrie = new MerkleTrie(this.store, this.roots.get(root))
    }
    return e.storageTrie
  }

  async getStorage(address: Address, key: Uint8Array): Promise<Uint8Array> {
    return this.readSlot(await this.entry(address.bytes), bytesToUnprefixedHex(key))
  }

  private async readSlot(e: Entry, slot: string): Promise<Uint8Array> {
    const v = e.storage.get(slot)
    if (v !== undefined) return v
    if (!e.account || e.storageCleared) return EMPTY_BYTES
    const raw = await this.storageTrieOf(e).get(slotKey(slot))
    const value = raw ? (RLP.decode(raw) as Uint8Array) : EMPTY_BYTES
    e.storage.set(slot, value)
    return value
  }

  async putStorage(address: Address, key: Uint8Array, value: Uint8Array): Promise<void> {
    const e = await this.entry(address.bytes)
    if (!e.account) throw new Error('state: putStorage on a non-existent account')
    const slot = bytesToUnprefixedHex(key)
    await this.readSlot(e, slot)
    this.journal.push({ t: 'slot', e, slot, prev: e.storage.get(slot), wasDirty: e.dirtySlots.has(slot) })
    e.storage.set(slot, unpad(value))
    e.dirtySlots.add(slot)
    e.dirty = true
  }

  async clearStorage(address: Address): Promise<void> {
    this.clearEntryStorage(await this.entry(address.bytes))
  }

  private clearEntryStorage(e: Entry): void {
    this.journal.push({ t: 'clear', e, storage: e.storage, dirtySlots: e.dirtySlots, cleared: e.storageCleared })
    e.storage = new Map()
    e.dirtySlots = new Set()
    e.storageCleared = true
    e.storageTrie = null
    e.dirty = true
  }

  // --- journal --------------------------------------------------------------------------------------

  async checkpoint(): Promise<void> {
    this.checkpoints.push(this.journal.length)
  }

  async commit(): Promise<void> {
    this.checkpoints.pop()
    if (this.checkpoints.length === 0) this.journal = []
  }

  async revert(): Promise<void> {
    const to = this.checkpoints.pop() ?? 0
    for (let i = this.journal.length - 1; i >= to; i--) {
      const j = this.journal[i] as JournalEntry
      switch (j.t) {
        case 'account':
          j.e.account = j.prev
          break
        case 'slot':
          if (j.prev === undefined) j.e.storage.delete(j.slot)
          else j.e.storage.set(j.slot, j.prev)
          if (!j.wasDirty) j.e.dirtySlots.delete(j.slot)
          break
        case 'clear':
          j.e.storage = j.storage
          j.e.dirtySlots = j.dirtySlots
          j.e.storageCleared = j.cleared
          j.e.storageTrie = null
          break
      }
    }
    this.journal.length = to
  }

  // --- roots ----------------------------------------------------------------------------------------

  /** Applies pending account and storage changes to the tries (no hashing yet). */
  private async flush(): Promise<void> {
    if (this.checkpoints.length > 0) throw new Error('state: flush with open checkpoints')
    for (const e of this.entries.values()) {
      if (!e.dirty) continue
      e.dirty = false
      if (!e.account) {
        await this.accountTrie.del(e.key)
        e.storage = new Map()
        e.dirtySlots.clear()
        e.storageCleared = false
        e.storageTrie = null
        continue
      }
      let storageRoot = e.storageCleared ? EMPTY_TRIE_ROOT : e.account.storageRoot
      if (e.dirtySlots.size > 0 || e.storageCleared) {
        const trie = this.storageTrieOf(e)
        for (const slot of e.dirtySlots) {
          const v = e.storage.get(slot) as Uint8Array
          if (v.length === 0) await trie.del(slotKey(slot))
          else await trie.put(slotKey(slot), RLP.encode(v))
        }
        e.dirtySlots.clear()
        e.storageCleared = false
        storageRoot = trie.rootHash()
      }
      if (!bytesEqual(storageRoot, e.account.storageRoot)) e.account = { ...e.account, storageRoot }
      await this.accountTrie.put(e.key, encodeAccount(e.account))
    }
    this.journal = []
  }

  async getStateRoot(): Promise<Uint8Array> {
    await this.flush()
    return this.accountTrie.rootHash()
  }

  /**
   * Flushes, hashes and emits every new trie node (account and storage tries), returns new code
   * and the state root. Keeps the resolved roots in the cache for the next block.
   */
  async commitToStore(sink: NodeSink): Promise<{ stateRoot: Uint8Array; code: [Uint8Array, Uint8Array][] }> {
    await this.flush()
    for (const e of this.entries.values()) {
      if (e.storageTrie && e.account) {
        const root = e.storageTrie.commit(sink)
        this.roots.set(root, e.storageTrie.rootRef)
      }
    }
    const stateRoot = this.accountTrie.commit(sink)
    this.roots.set(stateRoot, this.accountTrie.rootRef)
    const code: [Uint8Array, Uint8Array][] = []
    for (const [hk, c] of this.newCode) code.push([Buffer.from(hk, 'hex'), c])
    this.newCode.clear()
    return { stateRoot, code }
  }

  async setStateRoot(stateRoot: Uint8Array): Promise<void> {
    this.accountTrie = new MerkleTrie(this.store, this.roots.get(stateRoot))
    this.entries.clear()
    this.journal = []
    this.checkpoints.length = 0
  }

  async hasStateRoot(root: Uint8Array): Promise<boolean> {
    if (bytesEqual(root, EMPTY_TRIE_ROOT)) return true
    try {
      await this.store.resolve(root)
      return true
    } catch {
      return false
    }
  }

  /** Merkle proof pieces for eth_getProof. */
  async accountTrieAt(): Promise<MerkleTrie> {
    await this.flush()
    return this.accountTrie
  }

  async storageTrieFor(address: Uint8Array): Promise<MerkleTrie> {
    await this.flush()
    return this.storageTrieOf(await this.entry(address))
  }

  clearCaches(): void {}

  shallowCopy(): StateDB {
    return new StateDB(this.store, this.accountTrie.rootHash(), this.roots)
  }

  /**
   * Non-zero storage slots written or read in this session (a complete dump for a state built from
   * empty, as genesis building does).
   */
  storageSnapshot(address: Uint8Array): [Uint8Array, Uint8Array][] {
    const e = this.entries.get(bytesToUnprefixedHex(address))
    if (!e) return []
    const out: [Uint8Array, Uint8Array][] = []
    for (const [slot, v] of e.storage) if (v.length > 0) out.push([Buffer.from(slot, 'hex'), v])
    return out
  }

  /** Accounts touched so far (for debugging and tests). */
  touchedAccounts(): number {
    return this.entries.size
  }

  isEmpty(a: AccountRecord | null): boolean {
    return !a || isEmptyAccount(a)
  }
}
