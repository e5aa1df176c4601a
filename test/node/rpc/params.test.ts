import { describe, expect, it } from 'vitest'
import { RpcError } from '../../../node/rpc/jsonrpc.ts'
import {
  address,
  blockNumberOrHash,
  blockTagOrNumber,
  callRequest,
  data,
  hash32,
  logFilter,
  ParamError,
  ParamReader,
  storageSlot,
  uint64,
  uint256,
} from '../../../node/rpc/params.ts'

const A = '0x00000000000000000000000000000000000c0dE1'
const H = `0x${'ab'.repeat(32)}`

function reason(fn: () => unknown): string {
  try {
    fn()
  } catch (err) {
    expect(err).toBeInstanceOf(ParamError)
    return (err as Error).message
  }
  throw new Error('did not throw')
}

describe('QUANTITY', () => {
  it('accepts minimal hex', () => {
    expect(uint256('0x0')).toBe(0n)
    expect(uint256('0x1f')).toBe(31n)
    expect(uint256('0X1F')).toBe(31n)
    expect(uint256(`0x${'f'.repeat(64)}`)).toBe(2n ** 256n - 1n)
  })

  it('rejects leading zeros, empty, missing prefix, bad digits, non-strings, too many bits', () => {
    expect(reason(() => uint256('0x01'))).toBe('hex number with leading zero digits')
    expect(reason(() => uint256('0x'))).toMatch(/no digits/)
    expect(reason(() => uint256('10'))).toBe('hex string without 0x prefix')
    expect(reason(() => uint256('0xzz'))).toMatch(/invalid hex string/)
    expect(reason(() => uint256(16))).toMatch(/got a number/)
    expect(reason(() => uint256(`0x1${'0'.repeat(64)}`))).toBe('hex number > 256 bits')
    expect(reason(() => uint64(`0x1${'0'.repeat(16)}`))).toBe('hex number > 64 bits')
  })
})

describe('DATA, addresses, hashes, slots', () => {
  it('parses DATA with an even number of digits', () => {
    expect(data('0x')).toEqual(new Uint8Array(0))
    expect(data('0x00ff')).toEqual(Uint8Array.of(0, 255))
    expect(reason(() => data('0xabc'))).toBe('hex string of odd length')
    expect(reason(() => data('abcd'))).toBe('hex string without 0x prefix')
    expect(reason(() => data('0xgg'))).toMatch(/invalid hex/)
  })

  it('requires 20-byte addresses (any case) and 32-byte hashes', () => {
    expect(address(A)).toHaveLength(20)
    expect(reason(() => address('0x1234'))).toBe('hex string has length 4, want 40 for a 20-byte address')
    expect(hash32(H)).toHaveLength(32)
    expect(reason(() => hash32(A))).toBe('hex string has length 40, want 64 for a 32-byte hash')
  })

  it('left-pads storage slots, accepting geth short forms', () => {
    expect(storageSlot('0x0')).toEqual(new Uint8Array(32))
    expect(storageSlot('0x1')[31]).toBe(1)
    expect(storageSlot(H)).toEqual(hash32(H))
    expect(reason(() => storageSlot(`0x${'00'.repeat(33)}`))).toMatch(/at most 32 bytes/)
  })
})

describe('block parameters', () => {
  it('parses tags and numbers', () => {
    for (const tag of ['latest', 'pending', 'safe', 'finalized', 'earliest']) {
      expect(blockTagOrNumber(tag)).toEqual({ tag })
    }
    expect(blockTagOrNumber('0x10')).toEqual({ number: 16n })
    expect(reason(() => blockTagOrNumber('newest'))).toMatch(/latest\|pending\|safe\|finalized\|earliest/)
    expect(reason(() => blockTagOrNumber(16))).toMatch(/got a number/)
    expect(reason(() => blockTagOrNumber('0x010'))).toMatch(/leading zero/)
  })

  it('parses EIP-1898 objects and bare hashes', () => {
    expect(blockNumberOrHash(H)).toEqual({ hash: hash32(H) })
    expect(blockNumberOrHash({ blockHash: H })).toEqual({ hash: hash32(H) })
    expect(blockNumberOrHash({ blockHash: H, requireCanonical: true })).toEqual({
      hash: hash32(H),
      requireCanonical: true,
    })
    expect(blockNumberOrHash({ blockNumber: '0x2' })).toEqual({ number: 2n })
    expect(blockNumberOrHash({ blockNumber: 'safe' })).toEqual({ tag: 'safe' })
    expect(reason(() => blockNumberOrHash({ blockHash: H, blockNumber: '0x1' }))).toMatch(/cannot specify both/)
    expect(reason(() => blockNumberOrHash({}))).toMatch(/blockHash or blockNumber/)
    expect(reason(() => blockNumberOrHash({ blockHash: '0x12' }))).toMatch(
      /^field 'blockHash': hex string has length 2/,
    )
    expect(reason(() => blockNumberOrHash({ blockHash: H, requireCanonical: 'yes' }))).toMatch(/requireCanonical/)
  })
})

describe('transaction call objects', () => {
  it('parses every field', () => {
    expect(
      callRequest({
        from: A,
        to: A,
        gas: '0x5208',
        maxFeePerGas: '0x10',
        maxPriorityFeePerGas: '0x1',
        value: '0x1',
        input: '0xabcd',
        nonce: '0x3',
        accessList: [{ address: A, storageKeys: [H] }],
        unknownField: 'ignored',
      }),
    ).toEqual({
      from: address(A),
      to: address(A),
      gas: 21000n,
      maxFeePerGas: 16n,
      maxPriorityFeePerGas: 1n,
      value: 1n,
      data: Uint8Array.of(0xab, 0xcd),
      nonce: 3n,
      accessList: [{ address: address(A), storageKeys: [hash32(H)] }],
    })
    expect(callRequest({ data: '0x01', input: '0x01' })).toEqual({ data: Uint8Array.of(1) })
    expect(callRequest({ to: null })).toEqual({})
  })

  it('names the bad field', () => {
    expect(reason(() => callRequest({ to: '0x12' }))).toMatch(/^field 'to': hex string has length 2/)
    expect(reason(() => callRequest({ gas: '0x01' }))).toMatch(/^field 'gas': hex number with leading zero/)
    expect(reason(() => callRequest({ data: '0x01', input: '0x02' }))).toMatch(/both "data" and "input"/)
    expect(reason(() => callRequest({ gasPrice: '0x1', maxFeePerGas: '0x1' }))).toMatch(/both gasPrice/)
    expect(reason(() => callRequest({ maxFeePerGas: '0x1', maxPriorityFeePerGas: '0x2' }))).toMatch(/tip cap/)
    expect(reason(() => callRequest({ accessList: [{ address: A, storageKeys: ['0x1'] }] }))).toMatch(
      /^field 'accessList': item 0: field 'storageKeys': item 0: /,
    )
    expect(reason(() => callRequest('0x'))).toMatch(/expected an object/)
  })
})

describe('log filters', () => {
  it('parses addresses and topic positions', () => {
    const t = hash32(H)
    expect(logFilter({ address: A, topics: [H, null, [H, H]] })).toEqual({
      addresses: [address(A)],
      topics: [[t], null, [t, t]],
    })
    // A null inside an OR list makes the position a wildcard (geth).
    expect(logFilter({ address: [A, A], topics: [[H, null]] })).toEqual({
      addresses: [address(A), address(A)],
      topics: [null],
    })
    expect(logFilter({ fromBlock: '0x1', toBlock: 'latest' })).toEqual({
      fromBlock: { number: 1n },
      toBlock: { tag: 'latest' },
      addresses: [],
      topics: [],
    })
  })

  it('rejects bad filters', () => {
    expect(reason(() => logFilter({ topics: [H, H, H, H, H] }))).toMatch(/exceed max topics/)
    expect(reason(() => logFilter({ topics: ['0x12'] }))).toMatch(/^field 'topics': topic 0: /)
    expect(reason(() => logFilter({ address: ['0x12'] }))).toMatch(/^field 'address': item 0: /)
    expect(reason(() => logFilter({ blockHash: H, fromBlock: '0x1' }))).toMatch(/cannot specify both BlockHash/)
  })
})

describe('ParamReader', () => {
  it('names the argument in every error', () => {
    const p = new ParamReader(['0x01', null], ['block', 'fullTransactions'])
    const err = (fn: () => unknown) => {
      try {
        fn()
      } catch (e) {
        expect(e).toBeInstanceOf(RpcError)
        expect((e as RpcError).code).toBe(-32602)
        return (e as RpcError).message
      }
      throw new Error('did not throw')
    }
    expect(err(() => p.required(0, uint64))).toBe('invalid argument 0 (block): hex number with leading zero digits')
    expect(err(() => p.required(1, uint64))).toBe('missing value for required argument 1 (fullTransactions)')
    expect(p.optional(1, uint64)).toBeUndefined()
    expect(err(() => new ParamReader([1, 2, 3], ['a', 'b']))).toBe('too many arguments, want at most 2')
  })
})
