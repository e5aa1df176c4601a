import { describe, expect, it } from 'vitest'
import type { L1BlockRef } from '../../../config/types.ts'
import { EOF, type Eof, NOT_ENOUGH_DATA, type NotEnoughData } from '../../../derivation/pipelineErrors.ts'
import { encodeFrames, type Frame } from '../../../derivation/protocol/frame.ts'
import { FrameQueue, type FrameQueueProvider } from '../../../derivation/stages/frameQueue.ts'
import { captureLogger } from '../../fakes/captureLogger.ts'
import { frame, ref } from '../../fakes/fakeFrameProvider.ts'

class FakeDataProvider implements FrameQueueProvider {
  constructor(private readonly items: (Uint8Array | NotEnoughData)[]) {}
  origin(): L1BlockRef | null {
    return ref(7)
  }
  async nextData(): Promise<Uint8Array | Eof | NotEnoughData> {
    return this.items.shift() ?? EOF
  }
}

async function drain(fq: FrameQueue): Promise<Frame[]> {
  const out: Frame[] = []
  for (let i = 0; i < 100; i++) {
    const f = await fq.nextFrame()
    if (f === EOF) return out
    if (f !== NOT_ENOUGH_DATA) out.push(f)
  }
  throw new Error('no EOF')
}

const dsl = (f: Frame) => `${f.channelId[0] === 0 ? '?' : String.fromCharCode(f.channelId[0]!)}:${f.frameNumber}`

describe('FrameQueue', () => {
  it('hands out the frames of each data item in order', async () => {
    const items = [encodeFrames([frame('a:0:x'), frame('b:0:y')]), encodeFrames([frame('a:1:z!')])]
    const fq = new FrameQueue(new FakeDataProvider(items), { logger: captureLogger().logger })
    expect((await drain(fq)).map(dsl)).toEqual(['a:0', 'b:0', 'a:1'])
  })

  it('drops every frame of a malformed item, logs the reason at debug, and never throws', async () => {
    const good = encodeFrames([frame('a:0:x')])
    const twoFrames = encodeFrames([frame('b:0:ok'), frame('b:1:bad')])
    const badIsLast = twoFrames.slice()
    badIsLast[badIsLast.length - 1] = 2 // the second frame's is_last byte
    const trailing = new Uint8Array([...encodeFrames([frame('c:0:ok')]), 0x00])
    const truncated = good.subarray(0, good.length - 3)
    const wrongVersion = new Uint8Array([0x02, ...good.subarray(1)])
    const { logger, lines } = captureLogger()
    const fq = new FrameQueue(
      new FakeDataProvider([badIsLast, trailing, truncated, new Uint8Array(), wrongVersion, NOT_ENOUGH_DATA, good]),
      { logger },
    )
    expect((await drain(fq)).map(dsl)).toEqual(['a:0'])
    const drops = lines.filter((l) => l.msg === 'Dropping malformed batcher data item')
    expect(drops.map((l) => l.reason)).toEqual([
      'invalid-is-last',
      'truncated',
      'truncated',
      'empty-data',
      'unknown-version',
    ])
    expect(drops.every((l) => l.level === 20 && l.stage === 'frameQueue')).toBe(true)
  })

  it('reset clears buffered frames', async () => {
    const fq = new FrameQueue(new FakeDataProvider([encodeFrames([frame('a:0:x'), frame('a:1:y')])]), {
      logger: captureLogger().logger,
    })
    expect(await fq.nextFrame()).not.toBe(EOF)
    expect(fq.length).toBe(1)
    fq.reset()
    expect(await fq.nextFrame()).toBe(EOF)
  })
})
