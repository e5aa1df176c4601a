import { Level } from 'level'
import { bytesToHex, hexToBytes } from '../../config/bytes.ts'
import type { BlockID } from '../../config/types.ts'
import type { SafeHeadListener } from '../../derivation/driver/l2Engine.ts'

// op-node's safedb (op-node/node/safedb): L1 block number -> (L1 block hash, safe L2 block) after that L1 block was
// fully derived, in its own LevelDB. safeHeadAtL1Block(n) answers with the latest record at or before n; a reset of
// the safe head truncates the records of later L2 blocks. Keys are big-endian so LevelDB order is number order.

export interface SafeHeadRecord {
  l1Block: BlockID
  safeHead: BlockID
}

const VALUE_LEN = 32 + 32 + 8

function key(l1Number: number): Uint8Array {
  const k = new Uint8Array(8)
  new DataView(k.buffer).setBigUint64(0, BigInt(l1Number))
  return k
}

function encode(l1: BlockID, safe: BlockID): Uint8Array {
  const v = new Uint8Array(VALUE_LEN)
  v.set(hexToBytes(l1.hash), 0)
  v.set(hexToBytes(safe.hash), 32)
  new DataView(v.buffer).setBigUint64(64, BigInt(safe.number))
  return v
}

function decode(k: Uint8Array, v: Uint8Array): SafeHeadRecord {
  const dv = new DataView(v.buffer, v.byteOffset, v.length)
  const kv = new DataView(k.buffer, k.byteOffset, k.length)
  return {
    l1Block: { hash: bytesToHex(v.subarray(0, 32)), number: Number(kv.getBigUint64(0)) },
    safeHead: { hash: bytesToHex(v.subarray(32, 64)), number: Number(dv.getBigUint64(64)) },
  }
}

export class SafeHeadStore implements SafeHeadListener {
  private constructor(private readonly db: Level<Uint8Array, Uint8Array>) {}

  static async open(path: string): Promise<SafeHeadStore> {
    const db = new Level<Uint8Array, Uint8Array>(path, { keyEncoding: 'view', valueEncoding: 'view' })
    await db.open()
    return new SafeHeadStore(db)
  }

  async close(): Promise<void> {
    await this.db.close()
  }

  async safeHeadUpdated(l1: BlockID, safe: BlockID): Promise<void> {
    await this.db.put(key(l1.number), encode(l1, safe))
  }

  /** Drops every record whose safe head is after `safe` (those L2 blocks are being derived again). */
  async safeHeadReset(safe: BlockID): Promise<void> {
    const dels: Uint8Array[] = []
    for await (const [k, v] of this.db.iterator({ reverse: true })) {
      if (decode(k, v).safeHead.number <= safe.number) break
      dels.push(k)
    }
    if (dels.length > 0) await this.db.batch(dels.map((k) => ({ type: 'del' as const, key: k })))
  }

  /** The safe head recorded for the latest L1 block at or before `l1Number`; null when there is none. */
  async safeHeadAtL1Block(l1Number: number): Promise<SafeHeadRecord | null> {
    for await (const [k, v] of this.db.iterator({ lte: key(l1Number), reverse: true, limit: 1 })) return decode(k, v)
    return null
  }
}
