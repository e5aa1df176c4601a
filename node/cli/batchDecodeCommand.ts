import { readFileSync } from 'node:fs'
import { createTxFromRLP } from '@ethereumjs/tx'
import { createPublicClient, type Hex, http } from 'viem'
import { bytesToHex } from '../../config/bytes.ts'
import type { CommandSpec } from '../../config/cli.ts'
import { ConfigError } from '../../config/errors.ts'
import { decodeTxData } from '../../da-eigen/commitment.ts'
import { type BatchData, SINGULAR_BATCH_TYPE } from '../../derivation/protocol/batch.ts'
import { decodeChannel } from '../../derivation/protocol/channelReader.ts'
import { channelIdHex, type Frame, parseFrames } from '../../derivation/protocol/frame.ts'

// `oln batch decode`: what op-node's batch_decoder does for one batcher transaction: the data item's frames,
// the channels they complete, and the batches inside, as JSON.

function describeBatch(b: BatchData): Record<string, unknown> {
  if (b.type === SINGULAR_BATCH_TYPE) {
    return {
      type: 'singular',
      parentHash: bytesToHex(b.batch.parentHash),
      epochNum: Number(b.batch.epochNum),
      epochHash: bytesToHex(b.batch.epochHash),
      timestamp: Number(b.batch.timestamp),
      transactions: b.batch.transactions.map((t) => bytesToHex(t)),
    }
  }
  const s = b.batch
  return {
    type: 'span',
    relTimestamp: Number(s.relTimestamp),
    l1OriginNum: Number(s.l1OriginNum),
    parentCheck: bytesToHex(s.parentCheck),
    l1OriginCheck: bytesToHex(s.l1OriginCheck),
    blockCount: s.blockCount,
    originBits: bytesToHex(s.originBits),
    blockTxCounts: s.blockTxCounts,
    txCount: s.blockTxCounts.reduce((a, n) => a + n, 0),
  }
}

/** Calldata of a raw signed L1 transaction, or the input itself when it is already a data item. */
function dataItem(input: Uint8Array): { data: Uint8Array; tx?: Record<string, unknown> } {
  const first = input[0] as number
  if (first === 0x00 || first === 0x01) return { data: input }
  try {
    const tx = createTxFromRLP(input)
    return {
      data: tx.data,
      tx: {
        hash: bytesToHex(tx.hash()),
        type: tx.type,
        to: tx.to?.toString() ?? null,
        from: tx.getSenderAddress().toString(),
      },
    }
  } catch (err) {
    throw new ConfigError(
      'input',
      `neither a batcher data item (0x00/0x01) nor a signed transaction: ${(err as Error).message}`,
    )
  }
}

export function decodeBatcherData(input: Uint8Array, opts: { fjord: boolean }): Record<string, unknown> {
  const { data, tx } = dataItem(input)
  const out: Record<string, unknown> = { ...(tx ? { tx } : {}), dataLength: data.length, version: data[0] }
  if (data[0] === 0x01) {
    try {
      const c = decodeTxData(data)
      out.altDA =
        c.type === 'keccak'
          ? { type: 'keccak', hash: bytesToHex(c.hash) }
          : { type: 'eigenda', certVersion: c.cert.versionByte }
    } catch (err) {
      out.error = `invalid Alt-DA commitment: ${(err as Error).message}`
    }
    return out
  }
  let frames: Frame[]
  try {
    frames = parseFrames(data)
  } catch (err) {
    out.error = `invalid frames (the whole item would be dropped): ${(err as Error).message}`
    return out
  }
  out.frames = frames.map((f) => ({
    channelId: channelIdHex(f.channelId),
    frameNumber: f.frameNumber,
    dataLength: f.data.length,
    isLast: f.isLast,
  }))
  const byChannel = new Map<string, Frame[]>()
  for (const f of frames) {
    const id = channelIdHex(f.channelId)
    byChannel.set(id, [...(byChannel.get(id) ?? []), f])
  }
  out.channels = [...byChannel].map(([id, fs]) => {
    const sorted = [...fs].sort((a, b) => a.frameNumber - b.frameNumber)
    const last = sorted.find((f) => f.isLast)
    const complete = !!last && sorted.length === last.frameNumber + 1 && sorted.every((f, i) => f.frameNumber === i)
    if (!complete) return { channelId: id, complete: false, frames: sorted.length }
    const channelData = Buffer.concat(sorted.map((f) => f.data))
    try {
      const d = decodeChannel(channelData, { isFjord: opts.fjord })
      return {
        channelId: id,
        complete: true,
        compression: d.algo,
        compressedLength: channelData.length,
        decompressedLength: d.decompressedLength,
        ...(d.decompressError ? { decompressError: d.decompressError } : {}),
        ...(d.error ? { readError: String(d.error) } : {}),
        batches: d.batches.map(describeBatch),
      }
    } catch (err) {
      return { channelId: id, complete: true, error: (err as Error).message }
    }
  })
  return out
}

function readInput(path: string): Uint8Array {
  const raw = readFileSync(path)
  const text = raw.toString('utf8').trim()
  return /^(0x)?[0-9a-fA-F\s]+$/.test(text) && text.length > 0
    ? Buffer.from(text.replace(/^0x/, '').replace(/\s+/g, ''), 'hex')
    : raw
}

export const batchDecodeCommand: CommandSpec = {
  name: 'batch',
  args: 'decode <file>',
  summary:
    "Decode batcher transaction data (a hex or binary file, or an L1 tx hash) into frames, channels and batches (op-node's batch_decoder)",
  flags: [
    {
      name: 'tx-hash',
      type: 'string',
      description: 'fetch this L1 transaction instead of reading a file (needs --l1.rpc)',
    },
    { name: 'l1.rpc', type: 'url', description: 'L1 RPC for --tx-hash' },
    {
      name: 'fjord',
      type: 'bool',
      description: 'accept brotli channels (Fjord active at the inclusion block)',
      default: true,
    },
  ],
  async run(v, positionals) {
    if (positionals[0] !== 'decode')
      throw new ConfigError('batch', 'usage: oln batch decode <file> | --tx-hash <hash> --l1.rpc <url>')
    let input: Uint8Array
    if (v['tx-hash']) {
      if (!v['l1.rpc']) throw new ConfigError('l1.rpc', 'is required with --tx-hash')
      const client = createPublicClient({ transport: http(v['l1.rpc'] as string) })
      const tx = await client.getTransaction({ hash: v['tx-hash'] as Hex })
      if (tx.type === 'eip4844')
        throw new ConfigError('tx-hash', 'blob transactions need a beacon endpoint; not supported by this command yet')
      input = Buffer.from(tx.input.slice(2), 'hex')
    } else {
      const file = positionals[1]
      if (!file) throw new ConfigError('file', 'give a file with the batcher data (hex or binary) or --tx-hash')
      input = readInput(file)
    }
    console.log(JSON.stringify(decodeBatcherData(input, { fjord: v.fjord as boolean }), null, 2))
  },
}
