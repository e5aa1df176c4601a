import { describe, expect, it } from 'vitest'
import type { RollupConfig } from '../../config/rollupConfig.ts'
import {
  channelTimeout,
  derivationConfigFromRollup,
  forkActive,
  maxChannelBankSize,
  maxRlpBytesAt,
} from '../../derivation/params.ts'

describe('derivation params', () => {
  const rollup = {
    block_time: 2,
    channel_timeout: 300,
    batch_inbox_address: '0xff00000000000000000000000000000000000010',
    canyon_time: 10,
    fjord_time: 100,
    granite_time: 200,
  } as unknown as RollupConfig
  const cfg = derivationConfigFromRollup(rollup)

  it('maps rollup.json fields', () => {
    expect(cfg).toMatchObject({ blockTime: 2, channelTimeout: 300, canyonTime: 10, fjordTime: 100, graniteTime: 200 })
    expect(cfg.ecotoneTime).toBeUndefined()
  })

  it('fork activation is time >= forkTime, never for an unset fork', () => {
    expect([forkActive(10, 9), forkActive(10, 10), forkActive(undefined, 1e12)]).toEqual([false, true, false])
  })

  it('per-fork constants', () => {
    expect([channelTimeout(cfg, 199), channelTimeout(cfg, 200)]).toEqual([300, 50])
    expect([maxChannelBankSize(cfg, 99), maxChannelBankSize(cfg, 100)]).toEqual([100_000_000, 1_000_000_000])
    expect([maxRlpBytesAt(cfg, 99), maxRlpBytesAt(cfg, 100)]).toEqual([10_000_000, 100_000_000])
  })
})
