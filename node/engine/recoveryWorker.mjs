// Worker thread for sender recovery (plain JS: loaded without the TypeScript loader).
// Input per tx: signingHash(32) recid(1) r(32) s(32); output per tx: address(20) and an ok flag.
import { parentPort } from 'node:worker_threads'
import { keccak_256 } from '@noble/hashes/sha3.js'
import secp256k1 from 'secp256k1'

const sig = new Uint8Array(64)
parentPort.on('message', ({ id, input, count }) => {
  const src = new Uint8Array(input)
  const out = new Uint8Array(count * 20)
  const ok = new Uint8Array(count)
  for (let i = 0; i < count; i++) {
    const o = i * 97
    try {
      sig.set(src.subarray(o + 33, o + 97))
      const pub = secp256k1.ecdsaRecover(sig, src[o + 32], src.subarray(o, o + 32), false)
      out.set(keccak_256(pub.subarray(1)).subarray(12), i * 20)
      ok[i] = 1
    } catch {
      ok[i] = 0
    }
  }
  parentPort.postMessage({ id, out: out.buffer, ok: ok.buffer }, [out.buffer, ok.buffer])
})

// Modules are loaded: the pool may terminate this worker safely from now on.
parentPort.postMessage({ ready: true })
