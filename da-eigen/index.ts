// EigenDA adapter: OP alt-DA commitments, EigenDA certs (V1..V4), the payload encoding and the proxy client.
// The local DA server (LevelDB) is in ./server/daServer.ts and is not re-exported here.
export * from './cert.ts'
export * from './commitment.ts'
export * from './errors.ts'
export * from './payload.ts'
export * from './proxyClient.ts'
