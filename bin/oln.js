#!/usr/bin/env node
// CLI entry: loads the TypeScript sources through tsx so `npm ci && npm run devnet` needs no build step.
import { register } from 'tsx/esm/api'

register()
await import('../config/polyfills.ts')
const { main } = await import('../node/cli/main.ts')
await main(process.argv.slice(2))
