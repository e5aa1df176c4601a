// One error base for the whole node (lodestar's LodestarError shape): a namespaced code plus typed metadata,
// so logs and RPC errors carry structured context and tests can assert on codes instead of messages.
export class NodeError<Code extends string = string> extends Error {
  readonly code: Code
  readonly meta: Record<string, unknown>

  constructor(code: Code, message: string, meta: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(message, options)
    this.name = new.target.name
    this.code = code
    this.meta = meta
  }

  toObject(): Record<string, unknown> {
    return { code: this.code, message: this.message, ...this.meta }
  }
}

/** A configuration value is missing or wrong; `field` names it so the operator knows what to fix. */
export class ConfigError extends NodeError<'CONFIG_INVALID'> {
  readonly field: string

  constructor(field: string, reason: string, meta: Record<string, unknown> = {}) {
    super('CONFIG_INVALID', `invalid config field '${field}': ${reason}`, { field, ...meta })
    this.field = field
  }
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message
  return String(err)
}
