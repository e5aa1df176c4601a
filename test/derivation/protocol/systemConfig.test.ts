import { describe, expect, it } from 'vitest'
import { bytesToHex, hexToBytes } from '../../../config/bytes.ts'
import { encodeHoloceneExtraData } from '../../../config/protocol/eip1559.ts'
import { encodeDepositTx } from '../../../derivation/protocol/depositTx.ts'
import {
  buildL1BlockInfo,
  encodeEcotoneScalar,
  type L1InfoFormat,
  l1InfoDepositTx,
} from '../../../derivation/protocol/l1Info.ts'
import {
  applySystemConfigLogs,
  parseConfigUpdateLog,
  type SystemConfig,
  SystemConfigError,
  systemConfigFromGenesis,
  systemConfigFromL2Block,
} from '../../../derivation/protocol/systemConfig.ts'
import {
  abiBytes,
  baseSysCfg,
  batcherLog,
  cat,
  configUpdateLog,
  feeScalarsLog,
  gasLimitLog,
  SYS_CFG_ADDR,
  word,
} from '../sysCfgHelpers.ts'

const NEW_BATCHER = '0xabcdefabcdefabcdefabcdefabcdefabcdefabcd'

function code(fn: () => unknown): string {
  try {
    fn()
  } catch (e) {
    expect(e).toBeInstanceOf(SystemConfigError)
    return (e as SystemConfigError).code
  }
  throw new Error('did not throw')
}

describe('parseConfigUpdateLog', () => {
  it('BATCHER', () => {
    expect(parseConfigUpdateLog(batcherLog(NEW_BATCHER))).toEqual({ type: 'batcher', batcherAddr: NEW_BATCHER })
  })

  it('FEE_SCALARS', () => {
    const u = parseConfigUpdateLog(feeScalarsLog(word(5), word(7)))
    expect(u).toEqual({ type: 'feeScalars', overhead: bytesToHex(word(5)), scalar: bytesToHex(word(7)) })
  })

  it('GAS_LIMIT', () => {
    expect(parseConfigUpdateLog(gasLimitLog(45_000_000n))).toEqual({ type: 'gasLimit', gasLimit: 45_000_000n })
  })

  it('UNSAFE_BLOCK_SIGNER is ignored without parsing its data', () => {
    expect(parseConfigUpdateLog(configUpdateLog(3, new Uint8Array(5)))).toEqual({ type: 'unsafeBlockSigner' })
  })

  it('EIP_1559_PARAMS keeps bytes 24..32', () => {
    const w = word((250n << 32n) | 6n)
    expect(parseConfigUpdateLog(configUpdateLog(4, abiBytes(w)))).toEqual({
      type: 'eip1559Params',
      eip1559Params: '0x000000fa00000006',
    })
  })

  it('OPERATOR_FEE_PARAMS keeps the word', () => {
    const w = word((7n << 64n) | 9n)
    expect(parseConfigUpdateLog(configUpdateLog(5, abiBytes(w)))).toEqual({
      type: 'operatorFee',
      operatorFee: bytesToHex(w),
    })
  })

  describe('malformed logs', () => {
    const good = batcherLog(NEW_BATCHER)
    it('topic count', () => {
      expect(code(() => parseConfigUpdateLog({ ...good, topics: good.topics.slice(0, 2) }))).toBe(
        'SYSCFG_LOG_TOPIC_COUNT',
      )
    })
    it('wrong event', () => {
      expect(code(() => parseConfigUpdateLog({ ...good, topics: [word(1), good.topics[1]!, good.topics[2]!] }))).toBe(
        'SYSCFG_LOG_WRONG_EVENT',
      )
    })
    it('version != 0', () => {
      expect(code(() => parseConfigUpdateLog(configUpdateLog(0, good.data, { version: 1n })))).toBe(
        'SYSCFG_LOG_UNKNOWN_VERSION',
      )
    })
    it('unknown type', () => {
      expect(code(() => parseConfigUpdateLog(configUpdateLog(6, good.data)))).toBe('SYSCFG_LOG_UNKNOWN_TYPE')
      expect(code(() => parseConfigUpdateLog(configUpdateLog(256, good.data)))).toBe('SYSCFG_LOG_UNKNOWN_TYPE')
    })
    it('pointer != 32', () => {
      const data = cat(word(64), word(32), word(1))
      expect(code(() => parseConfigUpdateLog(configUpdateLog(0, data)))).toBe('SYSCFG_LOG_BAD_POINTER')
    })
    it('wrong length', () => {
      expect(code(() => parseConfigUpdateLog(configUpdateLog(0, cat(word(32), word(64), word(1), word(1)))))).toBe(
        'SYSCFG_LOG_BAD_LENGTH',
      )
      expect(code(() => parseConfigUpdateLog(configUpdateLog(1, abiBytes(word(1)))))).toBe('SYSCFG_LOG_BAD_LENGTH')
      expect(code(() => parseConfigUpdateLog(configUpdateLog(2, cat(word(32), word(1n << 64n), word(1)))))).toBe(
        'SYSCFG_LOG_BAD_LENGTH',
      )
    })
    it('truncated', () => {
      expect(code(() => parseConfigUpdateLog(configUpdateLog(2, cat(word(32), word(32)))))).toBe('SYSCFG_LOG_TRUNCATED')
      expect(code(() => parseConfigUpdateLog(configUpdateLog(0, new Uint8Array(10))))).toBe('SYSCFG_LOG_TRUNCATED')
    })
    it('extra bytes', () => {
      for (const type of [0, 1, 2, 4, 5]) {
        const payload = type === 1 ? cat(word(0), word(0)) : word(1)
        const data = cat(abiBytes(payload), new Uint8Array([0]))
        expect(code(() => parseConfigUpdateLog(configUpdateLog(type, data)))).toBe('SYSCFG_LOG_EXTRA_BYTES')
      }
    })
    it('address and uint64 padding', () => {
      expect(code(() => parseConfigUpdateLog(configUpdateLog(0, abiBytes(word(1n << 200n)))))).toBe(
        'SYSCFG_LOG_BAD_PADDING',
      )
      expect(code(() => parseConfigUpdateLog(configUpdateLog(2, abiBytes(word(1n << 64n)))))).toBe(
        'SYSCFG_LOG_BAD_PADDING',
      )
    })
  })
})

describe('applySystemConfigLogs', () => {
  const forks = { ecotoneTime: 1000 }
  const ok = (logs: ReturnType<typeof batcherLog>[], status = 1) => ({ status, logs })

  it('applies logs in order, only from successful receipts at the right address with the right topic', () => {
    const other = {
      ...batcherLog('0x9999999999999999999999999999999999999999'),
      address: hexToBytes(`0x${'77'.repeat(20)}`),
    }
    const wrongTopic = { ...gasLimitLog(1n), topics: [word(3), word(0), word(2)] }
    const out = applySystemConfigLogs(
      baseSysCfg(),
      [
        ok([gasLimitLog(40_000_000n)]),
        ok([batcherLog('0x2222222222222222222222222222222222222222')], 0),
        ok([other, wrongTopic, batcherLog(NEW_BATCHER), gasLimitLog(50_000_000n)]),
      ],
      SYS_CFG_ADDR,
      10,
      forks,
    )
    expect(out.batcherAddr).toBe(NEW_BATCHER)
    expect(out.gasLimit).toBe(50_000_000n)
  })

  it('does not modify its input', () => {
    const cfg = baseSysCfg()
    applySystemConfigLogs(cfg, [ok([gasLimitLog(1n)])], SYS_CFG_ADDR, 10, forks)
    expect(cfg).toEqual(baseSysCfg())
  })

  it('pre-Ecotone FEE_SCALARS stores overhead and scalar as given', () => {
    const big = word(1n << 250n)
    const out = applySystemConfigLogs(baseSysCfg(), [ok([feeScalarsLog(word(3), big)])], SYS_CFG_ADDR, 999, forks)
    expect(out.overhead).toBe(bytesToHex(word(3)))
    expect(out.scalar).toBe(bytesToHex(big))
  })

  it('Ecotone FEE_SCALARS: valid v0 and v1 scalars are stored with overhead 0', () => {
    const v0 = word(1234)
    const v1 = encodeEcotoneScalar({ baseFeeScalar: 1368n, blobBaseFeeScalar: 810949n })
    for (const scalar of [v0, v1]) {
      const out = applySystemConfigLogs(baseSysCfg(), [ok([feeScalarsLog(word(3), scalar)])], SYS_CFG_ADDR, 1000, forks)
      expect(out.overhead).toBe(bytesToHex(word(0)))
      expect(out.scalar).toBe(bytesToHex(scalar))
    }
  })

  it('Ecotone FEE_SCALARS: invalid scalars are ignored', () => {
    const v0BadPadding = word(1n << 200n)
    const v1BadPadding = encodeEcotoneScalar({ baseFeeScalar: 1n, blobBaseFeeScalar: 1n })
    v1BadPadding[5] = 1
    const v2 = new Uint8Array(32)
    v2[0] = 2
    for (const scalar of [v0BadPadding, v1BadPadding, v2]) {
      const out = applySystemConfigLogs(baseSysCfg(), [ok([feeScalarsLog(word(3), scalar)])], SYS_CFG_ADDR, 1000, forks)
      expect(out).toEqual(baseSysCfg())
    }
  })

  it('EIP_1559_PARAMS and UNSAFE_BLOCK_SIGNER', () => {
    const out = applySystemConfigLogs(
      baseSysCfg(),
      [ok([configUpdateLog(3, abiBytes(word(1))), configUpdateLog(4, abiBytes(word((50n << 32n) | 4n)))])],
      SYS_CFG_ADDR,
      1000,
      forks,
    )
    expect(out).toEqual({ ...baseSysCfg(), eip1559Params: '0x0000003200000004' })
  })

  it('a malformed log throws after processing the block, naming receipt and log', () => {
    let err: unknown
    try {
      applySystemConfigLogs(
        baseSysCfg(),
        [ok([gasLimitLog(1n)]), ok([batcherLog(NEW_BATCHER), configUpdateLog(9, new Uint8Array())])],
        SYS_CFG_ADDR,
        1000,
        forks,
      )
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(SystemConfigError)
    expect((err as SystemConfigError).code).toBe('SYSCFG_LOG_UNKNOWN_TYPE')
    expect((err as SystemConfigError).meta).toMatchObject({ receipt: 1, log: 1, errors: 1 })
  })
})

describe('systemConfigFromL2Block', () => {
  const genesis = baseSysCfg()
  const rc = { genesisL2Number: 0, genesisSystemConfig: genesis, holoceneTime: 5000 }
  const origin = { number: 10n, timestamp: 100n, baseFeePerGas: 7n, hash: new Uint8Array(32).fill(1) }

  function firstTx(format: L1InfoFormat, cfg: SystemConfig): Uint8Array {
    const info = buildL1BlockInfo(format, origin, 0n, {
      batcherAddr: hexToBytes(cfg.batcherAddr),
      overhead: hexToBytes(cfg.overhead),
      scalar: hexToBytes(cfg.scalar),
    })
    return encodeDepositTx(l1InfoDepositTx(info, true))
  }

  it('genesis block → genesis config', () => {
    const b = { number: 0, timestamp: 0, firstTx: undefined, gasLimit: 1n, extraData: new Uint8Array() }
    expect(systemConfigFromL2Block(rc, b)).toEqual(genesis)
  })

  it('Bedrock-format L1 info: batcher, overhead, scalar as stored; gas limit from the block', () => {
    const b = {
      number: 3,
      timestamp: 10,
      firstTx: firstTx('bedrock', genesis),
      gasLimit: 25n,
      extraData: new Uint8Array(),
    }
    expect(systemConfigFromL2Block(rc, b)).toEqual({ ...genesis, gasLimit: 25n })
  })

  it('Ecotone-format L1 info: overhead 0, v1 scalar; Holocene eip1559Params from extraData', () => {
    const scalar = bytesToHex(encodeEcotoneScalar({ baseFeeScalar: 5n, blobBaseFeeScalar: 6n }))
    const cfg = { ...genesis, scalar }
    const extraData = encodeHoloceneExtraData({ denominator: 250n, elasticity: 6n })
    const b = { number: 3, timestamp: 6000, firstTx: firstTx('ecotone', cfg), gasLimit: 25n, extraData }
    expect(systemConfigFromL2Block(rc, b)).toEqual({
      ...cfg,
      overhead: bytesToHex(word(0)),
      gasLimit: 25n,
      eip1559Params: '0x000000fa00000006',
    })
  })

  it('errors: no tx, not an L1-info deposit, bad Holocene extraData', () => {
    const base = { number: 3, timestamp: 10, gasLimit: 1n, extraData: new Uint8Array() }
    expect(code(() => systemConfigFromL2Block(rc, { ...base, firstTx: undefined }))).toBe('SYSCFG_L2_BLOCK_INVALID')
    expect(code(() => systemConfigFromL2Block(rc, { ...base, firstTx: new Uint8Array([2, 0xc0]) }))).toBe(
      'SYSCFG_L2_BLOCK_INVALID',
    )
    expect(
      code(() => systemConfigFromL2Block(rc, { ...base, timestamp: 6000, firstTx: firstTx('ecotone', genesis) })),
    ).toBe('SYSCFG_L2_BLOCK_INVALID')
  })
})

describe('systemConfigFromGenesis', () => {
  it('lower-cases and converts the gas limit', () => {
    const sc = systemConfigFromGenesis({
      batcherAddr: '0xABCDEFabcdefABCDEFabcdefABCDEFabcdefABCD',
      overhead: bytesToHex(word(1)),
      scalar: bytesToHex(word(2)),
      gasLimit: 30_000_000,
    })
    expect(sc).toEqual({
      batcherAddr: NEW_BATCHER,
      overhead: bytesToHex(word(1)),
      scalar: bytesToHex(word(2)),
      gasLimit: 30_000_000n,
    })
  })
})
