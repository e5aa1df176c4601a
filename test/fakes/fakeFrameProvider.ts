import type { L1BlockRef } from '../../config/types.ts'
import { EOF, type Eof, type NotEnoughData } from '../../derivation/pipelineErrors.ts'
import type { Frame } from '../../derivation/protocol/frame.ts'
import type { ChannelBankProvider } from '../../derivation/stages/channelBank.ts'

// A frame source for channel bank tests with op-node's tiny DSL (channel_bank_test.go): "a:0:first" is frame 0 of
// channel "a" with data "first"; a trailing "!" ("a:2:third!") marks the closing frame. The channel id is the
// name's ASCII bytes, zero-padded to 16.

export function channelId(name: string): Uint8Array {
  const id = new Uint8Array(16)
  id.set(new TextEncoder().encode(name).subarray(0, 16))
  return id
}

export function frame(dsl: string): Frame {
  const [name, num, ...rest] = dsl.split(':')
  let data = rest.join(':')
  const isLast = data.endsWith('!')
  if (isLast) data = data.slice(0, -1)
  if (name === undefined || num === undefined) throw new Error(`bad frame DSL '${dsl}'`)
  return { channelId: channelId(name), frameNumber: Number(num), data: new TextEncoder().encode(data), isLast }
}

export function ref(number: number, timestamp = 1_000 + number * 12): L1BlockRef {
  const h = (n: number) => `0x${n.toString(16).padStart(64, '0')}` as const
  return { number, hash: h(0xa000 + number), parentHash: h(0xa000 + number - 1), timestamp }
}

export class FakeFrameProvider implements ChannelBankProvider {
  private frames: Frame[] = []
  current: L1BlockRef

  constructor(origin: L1BlockRef = ref(0)) {
    this.current = origin
  }

  origin(): L1BlockRef | null {
    return this.current
  }

  push(...dsl: string[]): this {
    for (const d of dsl) this.frames.push(frame(d))
    return this
  }

  pushFrames(...frames: Frame[]): this {
    this.frames.push(...frames)
    return this
  }

  async nextFrame(): Promise<Frame | Eof | NotEnoughData> {
    return this.frames.shift() ?? EOF
  }

  /** Move to another L1 block (the channel bank reads fork rules and timeouts from it). */
  setOrigin(o: L1BlockRef): void {
    this.current = o
  }
}
