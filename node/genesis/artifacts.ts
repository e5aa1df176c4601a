import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'

// Contract bytecode comes from @eth-optimism/contracts-bedrock 0.17.3's forge-artifacts (and, for the
// preinstalls, the bytecode constants of its src/libraries/Preinstalls.sol), never from hand-written hex.

export interface Artifact {
  name: string
  abi: unknown[]
  creation: Uint8Array
  deployed: Uint8Array
  hasImmutables: boolean
}

let root: string | undefined
export function contractsBedrockDir(): string {
  if (!root) {
    const require = createRequire(import.meta.url)
    root = dirname(require.resolve('@eth-optimism/contracts-bedrock/package.json'))
  }
  return root
}

const cache = new Map<string, Artifact>()

/** Loads forge-artifacts/<Name>.sol/<Name>.json (or an explicit file name inside the .sol folder). */
export function loadArtifact(name: string, file = `${name}.json`, sol = `${name}.sol`): Artifact {
  const key = `${sol}/${file}`
  const hit = cache.get(key)
  if (hit) return hit
  const j = JSON.parse(readFileSync(join(contractsBedrockDir(), 'forge-artifacts', sol, file), 'utf8')) as {
    abi: unknown[]
    bytecode: { object: string }
    deployedBytecode: { object: string; immutableReferences?: Record<string, unknown> }
  }
  const a: Artifact = {
    name,
    abi: j.abi,
    creation: Buffer.from(j.bytecode.object.replace(/^0x/, ''), 'hex'),
    deployed: Buffer.from(j.deployedBytecode.object.replace(/^0x/, ''), 'hex'),
    hasImmutables: Object.keys(j.deployedBytecode.immutableReferences ?? {}).length > 0,
  }
  cache.set(key, a)
  return a
}

export interface Preinstall {
  name: string
  address: Uint8Array
  code: Uint8Array
}

/**
 * The preinstalls of contracts-bedrock's Preinstalls.sol: address and code constants, parsed from the shipped
 * source; Permit2's template gets its chain id and domain separator written at the same offsets as
 * `getPermit2Code`.
 */
export function loadPreinstalls(chainId: bigint, keccak: (b: Uint8Array) => Uint8Array): Preinstall[] {
  const src = readFileSync(join(contractsBedrockDir(), 'src', 'libraries', 'Preinstalls.sol'), 'utf8')
  const addresses = new Map<string, string>()
  for (const m of src.matchAll(/address internal constant (\w+) = (0x[0-9a-fA-F]{40});/g))
    addresses.set(m[1] as string, m[2] as string)
  const codes = new Map<string, string>()
  for (const m of src.matchAll(/bytes internal constant (\w+)\s*=\s*hex"([0-9a-fA-F]*)";/g))
    codes.set(m[1] as string, m[2] as string)
  const out: Preinstall[] = []
  for (const [name, addr] of addresses) {
    if (name === 'BeaconBlockRootsSender') continue
    let code: Uint8Array
    if (name === 'Permit2') {
      const tpl = codes.get('Permit2TemplateCode')
      if (!tpl) throw new Error('Preinstalls.sol: Permit2TemplateCode not found')
      code = permit2Code(Buffer.from(tpl, 'hex'), chainId, Buffer.from(addr.slice(2), 'hex'), keccak)
    } else {
      const hex = codes.get(`${name}Code`)
      if (!hex) throw new Error(`Preinstalls.sol: no code constant for ${name}`)
      code = Buffer.from(hex, 'hex')
    }
    out.push({ name, address: Buffer.from(addr.slice(2), 'hex'), code })
  }
  return out
}

export function preinstallAddress(name: string): Uint8Array {
  const src = readFileSync(join(contractsBedrockDir(), 'src', 'libraries', 'Preinstalls.sol'), 'utf8')
  const m = new RegExp(`address internal constant ${name} = (0x[0-9a-fA-F]{40});`).exec(src)
  if (!m) throw new Error(`Preinstalls.sol: no address constant ${name}`)
  return Buffer.from((m[1] as string).slice(2), 'hex')
}

function word(n: bigint): Uint8Array {
  return Buffer.from(n.toString(16).padStart(64, '0'), 'hex')
}

function permit2Code(
  template: Uint8Array,
  chainId: bigint,
  permit2: Uint8Array,
  keccak: (b: Uint8Array) => Uint8Array,
) {
  const nameHash = keccak(Buffer.from('Permit2'))
  const typeHash = keccak(Buffer.from('EIP712Domain(string name,uint256 chainId,address verifyingContract)'))
  const domainSeparator = keccak(Buffer.concat([typeHash, nameHash, word(chainId), Buffer.alloc(12), permit2]))
  const out = Uint8Array.from(template)
  out.set(word(chainId), 6945)
  out.set(domainSeparator, 6983)
  return out
}
