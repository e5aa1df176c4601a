// EigenDA adapter codecs: OP alt-DA commitments, EigenDA certs (V1..V4) and the payload encoding.
export * from './cert.ts'
export * from './commitment.ts'
export * from './errors.ts'
export * from './payload.ts'
