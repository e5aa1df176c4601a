#!/usr/bin/env node
// Enforces the module dependency direction (architecture.md §2.2, DEVELOPERS.md):
//   config      <- imports no project module
//   derivation  <- config only (pure: no I/O libraries, no EVM)
//   precompiles <- config
//   da-eigen    <- config, derivation, sequencer (types)
//   sequencer   <- config, derivation, precompiles
//   node        <- everything (composition root); nothing outside test/bench/bin imports node
// Exits non-zero, naming each offending import, so CI fails on a violation.
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve, sep } from 'node:path'

const root = resolve(dirname(new URL(import.meta.url).pathname), '..')
const modules = ['config', 'derivation', 'precompiles', 'da-eigen', 'sequencer', 'node']
const allowed = {
  config: [],
  derivation: ['config'],
  precompiles: ['config'],
  'da-eigen': ['config', 'derivation', 'sequencer'],
  sequencer: ['config', 'derivation', 'precompiles'],
  node: ['config', 'derivation', 'precompiles', 'da-eigen', 'sequencer'],
}
// External packages a module must not use (keeps derivation pure, I/O at the edges).
const forbiddenPackages = {
  config: ['level', 'classic-level', 'libp2p', '@chainsafe/libp2p-gossipsub', '@ethereumjs/vm', 'viem'],
  derivation: [
    'level',
    'classic-level',
    'libp2p',
    '@chainsafe/libp2p-gossipsub',
    '@ethereumjs/vm',
    '@ethereumjs/evm',
    'viem',
    'ws',
    'node:http',
    'node:net',
  ],
  precompiles: ['level', 'classic-level', 'libp2p', 'viem'],
  sequencer: ['level', 'classic-level'],
}

function* walk(dir) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue
    const p = join(dir, name)
    if (statSync(p).isDirectory()) yield* walk(p)
    else if (/\.(ts|mts|js|mjs)$/.test(name)) yield p
  }
}

const importRe =
  /(?:import|export)\s+(?:type\s+)?(?:[^'"]*?\sfrom\s+)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g
const problems = []
for (const mod of modules) {
  const dir = join(root, mod)
  try {
    statSync(dir)
  } catch {
    continue
  }
  for (const file of walk(dir)) {
    const src = readFileSync(file, 'utf8')
    for (const m of src.matchAll(importRe)) {
      const spec = m[1] ?? m[2]
      if (!spec) continue
      const rel = relative(root, file)
      if (spec.startsWith('.')) {
        const target = relative(root, resolve(dirname(file), spec))
        const top = target.split(sep)[0]
        if (top === mod) continue
        if (!modules.includes(top)) {
          problems.push(`${rel}: imports '${spec}' outside the project modules`)
        } else if (!allowed[mod].includes(top)) {
          problems.push(`${rel}: module '${mod}' must not import '${top}' ('${spec}')`)
        }
      } else {
        const pkg = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]
        if ((forbiddenPackages[mod] ?? []).includes(pkg) || (forbiddenPackages[mod] ?? []).includes(spec)) {
          problems.push(`${rel}: module '${mod}' must not depend on '${spec}'`)
        }
      }
    }
  }
}
if (problems.length > 0) {
  console.error(`Import direction check failed (${problems.length}):`)
  for (const p of problems) console.error(`  ${p}`)
  process.exit(1)
}
console.log('import direction: ok')
