import type { EVM } from '@ethereumjs/evm'
import { Account, Address, bytesToUnprefixedHex, createAddressFromString } from '@ethereumjs/util'
import type { DepositTx } from '../../derivation/protocol/depositTx.ts'
import type { OpForks } from './chainSpec.ts'
import { InvalidTransactionError } from './errors.ts'
import { type AccountRecord, bytesEqual, EMPTY_ACCOUNT, isEmptyAccount, KECCAK_EMPTY } from './state/account.ts'
import type { StateDB } from './state/stateDB.ts'
import { type SignedTx, txIntrinsicGas } from './txCodec.ts'
import type { Log } from './types.ts'

// The OP state transition for one transaction, as op-geth's state_transition.go does it (opstack-spec §1.4, §3):
// deposits mint first, pay no fees and still bump the nonce when they fail; other txs pay the L1 data fee up
// front (to L1FeeVault), the base fee to BaseFeeVault (not burned) and the tip to the coinbase.
// Built on ethereumjs' EVM (runCall + journal); the VM's runTx is not used.

export const BASE_FEE_VAULT = createAddressFromString('0x4200000000000000000000000000000000000019')
export const L1_FEE_VAULT = createAddressFromString('0x420000000000000000000000000000000000001a')
const MAX_INITCODE_SIZE = 49152

export interface BlockEnv {
  number: bigint
  timestamp: bigint
  coinbase: Address
  gasLimit: bigint
  baseFee: bigint
  prevRandao: Uint8Array
  forks: OpForks
}

/** What the L1 data fee function reports for a tx (Ecotone/Fjord formulas, from L1Block storage). */
export interface L1CostResult {
  fee: bigint
  gasUsed: bigint
  /** Per-block L1 values op-geth reports in receipts (RPC only). */
  l1GasPrice?: bigint
  l1BlobBaseFee?: bigint
  l1BaseFeeScalar?: bigint
  l1BlobBaseFeeScalar?: bigint
}
export type L1CostFunction = (rawTx: Uint8Array) => L1CostResult

/** A deposit as the processor applies it (the 0x7E codec's type). */
export type DepositInput = DepositTx

export interface TxOutcome {
  status: 0 | 1
  gasUsed: bigint
  logs: Log[]
  contractAddress?: Uint8Array
  depositNonce?: bigint
  l1Fee?: bigint
  l1GasUsed?: bigint
  effectiveGasPrice: bigint
  /** Return data (revert reason on failure). */
  returnValue: Uint8Array
}

/** Native extension points around every transaction (attribution hooks use these). */
export interface TxHooks {
  beforeTx?(ctx: TxHookContext): Promise<void> | void
  afterTx?(ctx: TxHookContext, outcome: TxOutcome): Promise<void> | void
}

export interface TxHookContext {
  state: StateDB
  env: BlockEnv
  from: Uint8Array
  to?: Uint8Array
  isDeposit: boolean
  txHash: Uint8Array
}

function toLogs(raw: [Uint8Array, Uint8Array[], Uint8Array][] | undefined): Log[] {
  if (!raw) return []
  return raw.map(([address, topics, data]) => ({ address, topics, data }))
}

export class OpTxProcessor {
  private readonly precompiles: Set<string>
  private readonly evmBlock: Parameters<EVM['runCall']>[0]['block']
  /** Disable the native transfer fast path (tests compare both paths). */
  fastTransfers = true

  constructor(
    private readonly state: StateDB,
    private readonly evm: EVM,
    private readonly env: BlockEnv,
    private readonly hooks: TxHooks = {},
  ) {
    this.precompiles = new Set(evm.precompiles.keys())
    this.evmBlock = {
      header: {
        number: env.number,
        coinbase: env.coinbase,
        timestamp: env.timestamp,
        difficulty: 0n,
        prevRandao: env.prevRandao,
        gasLimit: env.gasLimit,
        baseFeePerGas: env.baseFee,
        // OP: blob txs are disabled and excessBlobGas is 0, so BLOBBASEFEE is the minimum, 1.
        getBlobGasPrice: () => 1n,
      },
    }
  }

  private warm(caller: Uint8Array, to: Uint8Array | undefined, accessList: [Uint8Array, Uint8Array[]][]): void {
    const j = this.evm.journal
    j.cleanJournal()
    for (const p of this.precompiles) j.addAlwaysWarmAddress(p)
    j.addAlwaysWarmAddress(bytesToUnprefixedHex(caller))
    if (to) j.addAlwaysWarmAddress(bytesToUnprefixedHex(to))
    if (this.env.forks.canyon) j.addAlwaysWarmAddress(bytesToUnprefixedHex(this.env.coinbase.bytes))
    for (const [a, slots] of accessList) {
      const ah = bytesToUnprefixedHex(a)
      j.addAlwaysWarmAddress(ah, true)
      for (const s of slots) j.addAlwaysWarmSlot(ah, bytesToUnprefixedHex(s), true)
    }
  }

  /** Credits `amount`, touching the account like geth's AddBalance (an empty touched account is removed). */
  private async credit(address: Uint8Array, amount: bigint): Promise<void> {
    const a = await this.state.readAccount(address)
    if (amount === 0n) {
      if (a && isEmptyAccount(a)) await this.state.writeAccount(address, null)
      return
    }
    await this.state.writeAccount(address, { ...(a ?? EMPTY_ACCOUNT), balance: (a ?? EMPTY_ACCOUNT).balance + amount })
  }

  private isPlainTransfer(to: Uint8Array | undefined, toAccount: AccountRecord | null): boolean {
    if (!this.fastTransfers || !to) return false
    if (toAccount && !bytesEqual(toAccount.codeHash, KECCAK_EMPTY)) return false
    return !this.precompiles.has(bytesToUnprefixedHex(to))
  }

  /** Applies a signed (non-deposit) transaction. Throws InvalidTransactionError if it cannot be included. */
  async applyTransaction(
    tx: SignedTx,
    sender: Uint8Array,
    gasAvailable: bigint,
    l1Cost: L1CostResult,
  ): Promise<TxOutcome> {
    const env = this.env
    const txHash = tx.hash
    if (tx.gasLimit > gasAvailable)
      throw new InvalidTransactionError('gas limit reached', { gas: tx.gasLimit, gasAvailable })
    const intrinsic = txIntrinsicGas(tx, env.forks.canyon)
    if (tx.gasLimit < intrinsic) {
      throw new InvalidTransactionError('intrinsic gas too low', { gas: tx.gasLimit, intrinsic })
    }
    const to = tx.to
    const isCreate = to === undefined
    if (isCreate && env.forks.canyon && tx.data.length > MAX_INITCODE_SIZE) {
      throw new InvalidTransactionError('max initcode size exceeded', { size: tx.data.length })
    }
    const feeCap = tx.maxFeePerGas
    const tipCap = tx.maxPriorityFeePerGas
    if (tipCap > feeCap) throw new InvalidTransactionError('max priority fee per gas higher than max fee per gas')
    if (feeCap < env.baseFee) {
      throw new InvalidTransactionError('max fee per gas less than block base fee', { feeCap, baseFee: env.baseFee })
    }
    const from = await this.state.readAccount(sender)
    const fromAcc = from ?? EMPTY_ACCOUNT
    if (!bytesEqual(fromAcc.codeHash, KECCAK_EMPTY)) throw new InvalidTransactionError('sender not an eoa')
    if (tx.nonce !== fromAcc.nonce) {
      throw new InvalidTransactionError(tx.nonce < fromAcc.nonce ? 'nonce too low' : 'nonce too high', {
        txNonce: tx.nonce,
        stateNonce: fromAcc.nonce,
      })
    }
    const tip = tipCap < feeCap - env.baseFee ? tipCap : feeCap - env.baseFee
    const price = env.baseFee + tip
    const balanceNeeded = tx.gasLimit * feeCap + tx.value + l1Cost.fee
    if (fromAcc.balance < balanceNeeded) {
      throw new InvalidTransactionError('insufficient funds for gas * price + value + l1 fee', {
        have: fromAcc.balance,
        want: balanceNeeded,
      })
    }
    const hookCtx: TxHookContext = { state: this.state, env, from: sender, to, isDeposit: false, txHash }
    const toAccount = to ? await this.state.readAccount(to) : null
    let outcome: TxOutcome
    if (this.isPlainTransfer(to, toAccount) && !this.hooks.beforeTx && !this.hooks.afterTx) {
      outcome = await this.applyPlainTransfer(tx, sender, fromAcc, to as Uint8Array, intrinsic, price, tip, l1Cost)
    } else {
      await this.flushFees()
      await this.hooks.beforeTx?.(hookCtx)
      outcome = await this.applyWithEvm(tx, sender, fromAcc, intrinsic, price, tip, l1Cost)
    }
    await this.hooks.afterTx?.(hookCtx, outcome)
    return outcome
  }

  /** Value transfer to a code-less, non-precompile account: what the EVM would do, without entering it. */
  private async applyPlainTransfer(
    tx: SignedTx,
    sender: Uint8Array,
    fromAcc: AccountRecord,
    to: Uint8Array,
    intrinsic: bigint,
    price: bigint,
    tip: bigint,
    l1Cost: L1CostResult,
  ): Promise<TxOutcome> {
    const gasUsed = intrinsic
    await this.state.writeAccount(sender, {
      ...fromAcc,
      nonce: fromAcc.nonce + 1n,
      balance: fromAcc.balance - gasUsed * price - l1Cost.fee - tx.value,
    })
    await this.credit(to, tx.value)
    this.deferFees(gasUsed, tip, l1Cost.fee)
    await this.state.commit()
    return {
      status: 1,
      gasUsed,
      logs: [],
      l1Fee: l1Cost.fee,
      l1GasUsed: l1Cost.gasUsed,
      effectiveGasPrice: price,
      returnValue: new Uint8Array(0),
    }
  }

  // Fee-vault credits from plain transfers are summed and applied before anything that could observe the
  // vaults (an EVM-path tx, a deposit, a hook, sealing): plain transfers cannot read balances, so the
  // resulting state is identical to crediting per transaction.
  private pendingFees = { tip: 0n, base: 0n, l1: 0n, count: 0 }

  private deferFees(gasUsed: bigint, tip: bigint, l1Fee: bigint): void {
    const p = this.pendingFees
    p.tip += gasUsed * tip
    p.base += gasUsed * this.env.baseFee
    p.l1 += l1Fee
    p.count++
  }

  /** Applies deferred fee-vault credits. Must run before any EVM execution and before the state root. */
  async flushFees(): Promise<void> {
    const p = this.pendingFees
    if (p.count === 0) return
    this.pendingFees = { tip: 0n, base: 0n, l1: 0n, count: 0 }
    await this.credit(this.env.coinbase.bytes, p.tip)
    await this.credit(BASE_FEE_VAULT.bytes, p.base)
    await this.credit(L1_FEE_VAULT.bytes, p.l1)
  }

  private async payFees(gasUsed: bigint, tip: bigint, l1Fee: bigint): Promise<void> {
    await this.credit(this.env.coinbase.bytes, gasUsed * tip)
    await this.credit(BASE_FEE_VAULT.bytes, gasUsed * this.env.baseFee)
    await this.credit(L1_FEE_VAULT.bytes, l1Fee)
  }

  /**
   * Runs the top-level message (the caller's nonce was already bumped) and returns the result with the gas
   * the transaction used after the EIP-3529 refund cap (refund <= gasUsed / 5).
   */
  private async runMessage(m: {
    caller: Address
    gasPrice: bigint
    gasLimit: bigint
    intrinsic: bigint
    to?: Uint8Array
    value: bigint
    data: Uint8Array
  }) {
    const res = await this.evm.runCall({
      block: this.evmBlock,
      gasPrice: m.gasPrice,
      caller: m.caller,
      origin: m.caller,
      gasLimit: m.gasLimit - m.intrinsic,
      to: m.to ? new Address(m.to) : undefined,
      value: m.value,
      data: m.data,
      skipNonceIncrement: true,
    })
    const exec = res.execResult
    let gasUsed = exec.executionGasUsed + m.intrinsic
    const refund = exec.gasRefund ?? 0n
    if (refund > 0n) gasUsed -= refund < gasUsed / 5n ? refund : gasUsed / 5n
    return { res, exec, gasUsed }
  }

  private async applyWithEvm(
    tx: SignedTx,
    sender: Uint8Array,
    fromAcc: AccountRecord,
    intrinsic: bigint,
    price: bigint,
    tip: bigint,
    l1Cost: L1CostResult,
  ): Promise<TxOutcome> {
    const evm = this.evm
    const caller = new Address(sender)
    this.warm(sender, tx.to, tx.accessList)
    await evm.journal.checkpoint()
    // Buy gas (at the effective price) and the L1 data fee, bump the nonce.
    await evm.journal.putAccount(
      caller,
      new Account(
        fromAcc.nonce + 1n,
        fromAcc.balance - tx.gasLimit * price - l1Cost.fee,
        fromAcc.storageRoot,
        fromAcc.codeHash,
      ),
    )
    const { res, exec, gasUsed } = await this.runMessage({
      caller,
      gasPrice: price,
      gasLimit: tx.gasLimit,
      intrinsic,
      to: tx.to,
      value: tx.value,
      data: tx.data,
    })
    await this.credit(sender, (tx.gasLimit - gasUsed) * price)
    await this.payFees(gasUsed, tip, l1Cost.fee)
    await this.finishTx(exec.selfdestruct, exec.createdAddresses)
    return {
      status: exec.exceptionError ? 0 : 1,
      gasUsed,
      logs: exec.exceptionError ? [] : toLogs(exec.logs as never),
      contractAddress: tx.to ? undefined : res.createdAddress?.bytes,
      l1Fee: l1Cost.fee,
      l1GasUsed: l1Cost.gasUsed,
      effectiveGasPrice: price,
      returnValue: exec.returnValue,
    }
  }

  /** EIP-6780 selfdestructs, EIP-161 removal of touched empty accounts, then commit the tx. */
  private async finishTx(selfdestruct?: Map<string, unknown>, created?: Set<string>): Promise<void> {
    const j = this.evm.journal
    if (selfdestruct) {
      for (const a of [...selfdestruct.keys()].sort()) {
        if (this.env.forks.ecotone && !created?.has(a)) continue
        await j.deleteAccount(createAddressFromString(a))
      }
    }
    await j.cleanup()
    await j.commit()
    this.state.originalStorageCache.clear()
  }

  /**
   * Runs a message without nonce or fee checks and reverts everything afterwards (eth_call, eth_estimateGas):
   * geth's DoCall semantics, with gas bought at `gasPrice` (0 by default) and no L1 fee.
   */
  async simulate(m: {
    from: Uint8Array
    to?: Uint8Array
    value: bigint
    data: Uint8Array
    gas: bigint
    gasPrice: bigint
    accessList: [Uint8Array, Uint8Array[]][]
  }): Promise<{ returnValue: Uint8Array; gasUsed: bigint; reverted: boolean; error?: string }> {
    const intrinsic = txIntrinsicGas({ to: m.to, data: m.data, accessList: m.accessList }, this.env.forks.canyon)
    if (m.gas < intrinsic) throw new InvalidTransactionError('intrinsic gas too low', { gas: m.gas, intrinsic })
    const acc = (await this.state.readAccount(m.from)) ?? EMPTY_ACCOUNT
    const cost = m.gas * m.gasPrice + m.value
    if (acc.balance < cost) {
      throw new InvalidTransactionError('insufficient funds for gas * price + value', { have: acc.balance, want: cost })
    }
    const evm = this.evm
    const caller = new Address(m.from)
    this.warm(m.from, m.to, m.accessList)
    await evm.journal.checkpoint()
    try {
      await evm.journal.putAccount(
        caller,
        new Account(acc.nonce + 1n, acc.balance - m.gas * m.gasPrice, acc.storageRoot, acc.codeHash),
      )
      const { exec, gasUsed } = await this.runMessage({
        caller,
        gasPrice: m.gasPrice,
        gasLimit: m.gas,
        intrinsic,
        to: m.to,
        value: m.value,
        data: m.data,
      })
      const err = exec.exceptionError?.error as string | undefined
      return {
        returnValue: exec.returnValue,
        gasUsed,
        reverted: err === 'revert',
        ...(err && err !== 'revert' ? { error: err } : {}),
      }
    } finally {
      await evm.journal.revert()
      evm.journal.cleanJournal()
      this.state.originalStorageCache.clear()
    }
  }

  /** Applies a deposit (Regolith+ rules). Only a full block gas pool makes it throw. */
  async applyDeposit(d: DepositInput, txHash: Uint8Array, gasAvailable: bigint): Promise<TxOutcome> {
    const env = this.env
    if (!env.forks.regolith) throw new InvalidTransactionError('pre-Regolith deposit rules are not supported')
    if (d.gas > gasAvailable) throw new InvalidTransactionError('gas limit reached', { gas: d.gas, gasAvailable })
    await this.flushFees()
    const evm = this.evm
    const caller = new Address(d.from)
    const hookCtx: TxHookContext = { state: this.state, env, from: d.from, to: d.to, isDeposit: true, txHash }
    this.warm(d.from, d.to, [])
    // Mint first, outside the snapshot: it survives failure.
    if (d.mint > 0n) {
      const a = (await this.state.readAccount(d.from)) ?? EMPTY_ACCOUNT
      await evm.journal.putAccount(caller, new Account(a.nonce, a.balance + d.mint, a.storageRoot, a.codeHash))
    }
    const before = (await this.state.readAccount(d.from)) ?? EMPTY_ACCOUNT
    const depositNonce = before.nonce
    await evm.journal.checkpoint()
    let failure: string | undefined
    const isCreate = d.to === undefined
    const intrinsic = txIntrinsicGas({ to: d.to, data: d.data, accessList: [] }, env.forks.canyon)
    if (d.isSystemTx) failure = 'system tx not supported'
    else if (d.gas < intrinsic) failure = 'intrinsic gas too low'
    else if (isCreate && env.forks.canyon && d.data.length > MAX_INITCODE_SIZE) failure = 'max initcode size exceeded'
    else if (before.balance < d.value) failure = 'insufficient funds for transfer'
    if (failure) {
      await evm.journal.revert()
      return this.failDeposit(d, depositNonce, hookCtx)
    }
    await this.hooks.beforeTx?.(hookCtx)
    await evm.journal.putAccount(
      caller,
      new Account(before.nonce + 1n, before.balance, before.storageRoot, before.codeHash),
    )
    const { res, exec, gasUsed } = await this.runMessage({
      caller,
      gasPrice: 0n,
      gasLimit: d.gas,
      intrinsic,
      to: d.to,
      value: d.value,
      data: d.data,
    })
    await this.finishTx(exec.selfdestruct, exec.createdAddresses)
    const outcome: TxOutcome = {
      status: exec.exceptionError ? 0 : 1,
      gasUsed,
      logs: exec.exceptionError ? [] : toLogs(exec.logs as never),
      contractAddress: isCreate ? res.createdAddress?.bytes : undefined,
      depositNonce,
      effectiveGasPrice: 0n,
      returnValue: exec.returnValue,
    }
    await this.hooks.afterTx?.(hookCtx, outcome)
    return outcome
  }

  /** A failed deposit keeps the mint, bumps the nonce, uses its whole gas limit (op-geth TransitionDb). */
  private async failDeposit(d: DepositInput, depositNonce: bigint, hookCtx: TxHookContext): Promise<TxOutcome> {
    const j = this.evm.journal
    const a = (await this.state.readAccount(d.from)) ?? EMPTY_ACCOUNT
    await j.putAccount(new Address(d.from), new Account(a.nonce + 1n, a.balance, a.storageRoot, a.codeHash))
    await j.cleanup()
    await this.state.commit()
    this.state.originalStorageCache.clear()
    const outcome: TxOutcome = {
      status: 0,
      gasUsed: d.gas,
      logs: [],
      depositNonce,
      effectiveGasPrice: 0n,
      returnValue: new Uint8Array(0),
    }
    await this.hooks.afterTx?.(hookCtx, outcome)
    return outcome
  }
}
