import { DEFAULT_MAX_CHARACTERS } from '../schedule/load-schedule.ts';
import type { Schedule } from '../schedule/schedule.ts';
import type { CharacterLimit, CharacterLimitSource } from './ports/character-limit.ts';

/**
 * The limit to start with, before the instance has answered this time: the one it told us last (kept
 * across restarts, so a start while it is down uses it), else the schedules' maxCharacters (the smallest,
 * if several are loaded), else 500. Pure; the stores only keep the number.
 */
export function startingCharacterLimit(stored: number | null, schedules: Iterable<Pick<Schedule, 'maxCharacters'>>): { value: number; source: CharacterLimitSource } {
  if (stored !== null && Number.isInteger(stored) && stored > 0) return { value: stored, source: 'stored' };
  const fromSchedules = [...schedules].map((s) => s.maxCharacters);
  if (fromSchedules.length > 0) return { value: Math.min(...fromSchedules), source: 'schedule' };
  return { value: DEFAULT_MAX_CHARACTERS, source: 'default' };
}

/** A character limit that keeps what the instance told it somewhere (Redis, memory): `keep` says where. */
export abstract class KeptCharacterLimit implements CharacterLimit {
  private current: number;
  private origin: CharacterLimitSource;

  protected constructor(start: { value: number; source: CharacterLimitSource }) {
    this.current = start.value;
    this.origin = start.source;
  }

  get value(): number {
    return this.current;
  }

  get source(): CharacterLimitSource {
    return this.origin;
  }

  /** The instance told us its limit: use it from now on, and remember it for the next start. */
  async update(value: number): Promise<void> {
    this.current = value;
    this.origin = 'instance';
    await this.keep(value);
  }

  protected abstract keep(value: number): Promise<void>;
}
