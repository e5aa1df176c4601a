// Node 20 lacks Promise.withResolvers, which libp2p's it-queue uses; the CLI installs the same polyfill.
import '../config/polyfills.ts'
