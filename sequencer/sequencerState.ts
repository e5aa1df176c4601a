// The sequencer's persisted on/off switch (op-node ConfigPersistence): admin_startSequencer/stopSequencer survive
// a restart. 'unset' means never switched at runtime: the node's configured default applies.

export type SequencerRunState = 'started' | 'stopped' | 'unset'

export interface SequencerStateStore {
  load(): Promise<SequencerRunState>
  /** Must be durable before it resolves: the admin call only succeeds once the new state is persisted. */
  save(active: boolean): Promise<void>
}

/** For a node that does not persist the switch (op-node DisabledConfigPersistence). */
export class NonPersistentSequencerState implements SequencerStateStore {
  async load(): Promise<SequencerRunState> {
    return 'unset'
  }

  async save(): Promise<void> {}
}
