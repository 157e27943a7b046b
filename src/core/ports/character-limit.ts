export type CharacterLimitSource = 'instance' | 'stored' | 'schedule' | 'default';

/** The longest toot the primary instance accepts, and where Herold learnt it. */
export interface CharacterLimit {
  readonly value: number;
  readonly source: CharacterLimitSource;
  /** The instance told us its limit: use it from now on, and remember it for the next start. */
  update(value: number): Promise<void>;
}
