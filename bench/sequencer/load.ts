import { Common, Mainnet } from '@ethereumjs/common'
import { createFeeMarket1559Tx } from '@ethereumjs/tx'
import { privateToAddress } from '@ethereumjs/util'
import { keccak_256 } from '@noble/hashes/sha3.js'
import secp256k1 from 'secp256k1'

// Load for bench:sequencer: pre-signed simple transfers from many senders (native secp256k1 signing), pushed
// over HTTP as JSON-RPC batches of eth_sendRawTransaction, then polled until every one is in a block. The same
// load runs against oln and anvil so the two figures compare like for like.

export interface Sender {
  key: Uint8Array
  address: Uint8Array
}

export function benchSenders(n: number, seed = 'bench-seq'): Sender[] {
  return Array.from({ length: n }, (_, i) => {
    const key = keccak_256(Buffer.from(`${seed}-${i}`))
    return { key, address: privateToAddress(key) }
  })
}

export function signTransfers(chainId: bigint, senders: Sender[], perSender: number, feeCap: bigint): Uint8Array[] {
  const common = new Common({ chain: { ...Mainnet, chainId: Number(chainId) } as never, hardfork: 'cancun' })
  const out: Uint8Array[] = []
  for (let n = 0; n < perSender; n++) {
    for (const [i, s] of senders.entries()) {
      const to = keccak_256(Buffer.from(`to-${i}-${n}`)).subarray(0, 20)
      const tx = createFeeMarket1559Tx(
        {
          chainId,
          nonce: BigInt(n),
          to,
          value: 1n,
          gasLimit: 21000n,
          maxPriorityFeePerGas: 1_000_000n,
          maxFeePerGas: feeCap,
        },
        { common },
      )
      const { signature, recid } = secp256k1.ecdsaSign(tx.getHashedMessageToSign(), s.key)
      const r = BigInt(`0x${Buffer.from(signature.subarray(0, 32)).toString('hex')}`)
      const sv = BigInt(`0x${Buffer.from(signature.subarray(32)).toString('hex')}`)
      out.push(tx.addSignature(BigInt(recid), r, sv).serialize())
    }
  }
  return out
}

async function rpc<T>(url: string, body: unknown): Promise<T> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  return (await res.json()) as T
}

export interface LoadResult {
  sent: number
  rejected: number
  included: number
  seconds: number
  txPerS: number
  /** Time until every eth_sendRawTransaction was answered, and the rate of that (accepted + rejected). */
  acceptSeconds: number
  acceptPerS: number
  firstError?: string
}

/**
 * Sends `raws` in JSON-RPC batches of `batch` (default 100; several batches in flight), then waits until the senders' nonces
 * show every accepted tx included. tx/s = included / (first send -> last inclusion seen).
 */
export async function runLoad(
  url: string,
  raws: readonly Uint8Array[],
  senders: readonly Sender[],
  perSender: number,
  opts: { batch?: number; inFlight?: number; timeoutMs?: number } = {},
): Promise<LoadResult> {
  // 100: oln's RPC batch limit (maxBatchItems); the same batches go to anvil
  const batch = opts.batch ?? 100
  const inFlight = opts.inFlight ?? 4
  const t0 = performance.now()
  let rejected = 0
  let firstError: string | undefined
  let next = 0
  const worker = async () => {
    while (next < raws.length) {
      const chunk = raws.slice(next, next + batch)
      const base = next
      next += batch
      const body = chunk.map((r, i) => ({
        jsonrpc: '2.0',
        id: base + i,
        method: 'eth_sendRawTransaction',
        params: [`0x${Buffer.from(r).toString('hex')}`],
      }))
      const out = await rpc<{ error?: { message: string } }[]>(url, body)
      if (!Array.isArray(out) || out.length !== chunk.length) {
        // the whole batch was refused (e.g. over the server's batch limit): one error for all
        rejected += chunk.length
        const one = (Array.isArray(out) ? out[0] : out) as { error?: { message: string } } | undefined
        firstError ??= one?.error?.message ?? 'malformed batch response'
        continue
      }
      for (const r of out) {
        if (r.error) {
          rejected++
          firstError ??= r.error.message
        }
      }
    }
  }
  await Promise.all(Array.from({ length: inFlight }, worker))
  const acceptSeconds = (performance.now() - t0) / 1000
  const deadline = Date.now() + (opts.timeoutMs ?? 300_000)
  let included = 0
  while (Date.now() < deadline) {
    included = 0
    for (let i = 0; i < senders.length; i += batch) {
      const out = await rpc<{ result?: string; error?: { message: string } }[]>(
        url,
        senders.slice(i, i + batch).map((s, j) => ({
          jsonrpc: '2.0',
          id: i + j,
          method: 'eth_getTransactionCount',
          params: [`0x${Buffer.from(s.address).toString('hex')}`, 'latest'],
        })),
      )
      for (const r of out) {
        if (r.result === undefined) throw new Error(`eth_getTransactionCount: ${r.error?.message ?? 'no result'}`)
        included += Number(BigInt(r.result))
      }
    }
    if (included >= raws.length - rejected || included >= senders.length * perSender) break
    await new Promise((r) => setTimeout(r, 100))
  }
  const seconds = (performance.now() - t0) / 1000
  return {
    sent: raws.length,
    rejected,
    included,
    seconds,
    txPerS: included / seconds,
    acceptSeconds,
    acceptPerS: raws.length / acceptSeconds,
    ...(firstError ? { firstError } : {}),
  }
}
