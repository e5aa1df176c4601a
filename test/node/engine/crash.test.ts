import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ChainStore } from '../../../node/db/chainStore.ts'
import { ExecutionEngine } from '../../../node/engine/engine.ts'
import { attributes, DEFAULT_L1_INFO, DEV_ADDRS, l1InfoDeposit, SPEC } from '../../helpers/engineFixture.ts'

const writer = new URL('./fixtures/crashWriter.ts', import.meta.url).pathname

/** Runs the writer until it has committed `minBlocks` more blocks, then SIGKILLs it after `extraMs`. */
function runAndKill(
  path: string,
  minBlocks: number,
  extraMs: number,
): Promise<{ lastCommitted: number; lastHash: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', writer, path], { stdio: ['ignore', 'pipe', 'pipe'] })
    let seen = 0
    let last = { lastCommitted: -1, lastHash: '' }
    let buf = ''
    let stderr = ''
    let killTimer: NodeJS.Timeout | undefined
    child.stderr.on('data', (d) => {
      stderr += String(d)
    })
    child.stdout.on('data', (d) => {
      buf += String(d)
      const lines = buf.split('\n')
      buf = lines.pop() ?? ''
      for (const l of lines) {
        const m = /^committed (\d+) ([0-9a-f]+)$/.exec(l)
        if (!m) continue
        last = { lastCommitted: Number(m[1]), lastHash: m[2] as string }
        if (++seen === minBlocks) killTimer = setTimeout(() => child.kill('SIGKILL'), extraMs)
      }
    })
    child.on('exit', (code, signal) => {
      if (killTimer) clearTimeout(killTimer)
      if (signal !== 'SIGKILL') reject(new Error(`writer exited unexpectedly (${code}): ${stderr}`))
      else resolve(last)
    })
  })
}

describe('crash consistency (kill -9 while writing blocks)', () => {
  it('reopens at a consistent head with every committed block and its state, three kills in a row', async () => {
    const path = mkdtempSync(join(tmpdir(), 'oln-crash-'))
    try {
      let previous = -1
      for (const [blocks, extraMs] of [
        [5, 7],
        [4, 23],
        [6, 0],
      ] as const) {
        const { lastCommitted, lastHash } = await runAndKill(path, blocks, extraMs)
        expect(lastCommitted).toBeGreaterThan(previous)
        const store = await ChainStore.open(path)
        const engine = await ExecutionEngine.open({ store, spec: SPEC })
        try {
          const head = engine.head.unsafe
          // No committed block is lost: the head is at or beyond the last block the writer reported.
          expect(Number(head.header.number)).toBeGreaterThanOrEqual(lastCommitted)
          const atReported = await store.getCanonicalHash(BigInt(lastCommitted))
          expect(Buffer.from(atReported as Uint8Array).toString('hex')).toBe(lastHash)
          // Every canonical block up to the head is complete (header, body, receipts) and chains correctly.
          let sent = 0n
          for (let n = 1n; n <= head.header.number; n++) {
            const h = (await store.getCanonicalHash(n)) as Uint8Array
            const b = await store.getBlock(h)
            expect(b?.header.number).toBe(n)
            expect((await store.getReceipts(h))?.length).toBe(b?.transactions.length)
            sent += BigInt((b?.transactions.length ?? 1) - 1)
          }
          // The head's state is fully readable, and a block builds on top of it.
          const st = await engine.stateAt(head.header)
          expect((await st.readAccount(DEV_ADDRS[0] as Uint8Array))?.nonce).toBe(sent)
          const next = await engine.buildBlock(
            attributes(head.header.timestamp, [
              l1InfoDeposit({ ...DEFAULT_L1_INFO, sequenceNumber: head.header.number }),
            ]),
          )
          expect(next.header.number).toBe(head.header.number + 1n)
          previous = Number(next.header.number)
        } finally {
          await engine.close()
          await store.close()
        }
      }
    } finally {
      rmSync(path, { recursive: true, force: true })
    }
  }, 120_000)
})
