/** One contract for the kept character limit, run against the Redis store and the memory store. */
import { describe, expect, test } from 'vitest';
import { eachOnItsOwn, type StoreFixture } from './store-fixture.ts';
import type { CharacterLimit } from '../../src/core/ports/character-limit.ts';

/** Opens the limit as a (re)start of Herold does, on the same storage each time. */
export type OpenLimit = (schedules: readonly { maxCharacters: number }[]) => Promise<CharacterLimit>;

export function characterLimitContract(name: string, make: () => Promise<StoreFixture<OpenLimit>>) {
  const withStore = eachOnItsOwn(make);

  describe(`CharacterLimit contract: ${name}`, () => {
    test('before the instance ever answered: the smallest maxCharacters of the schedules, else 500', () =>
      withStore(async (open) => {
        expect(await open([])).toMatchObject({ value: 500, source: 'default' });
        expect(await open([{ maxCharacters: 1000 }, { maxCharacters: 480 }])).toMatchObject({ value: 480, source: 'schedule' });
      }));

    test("the instance's limit is used at once and kept for the next start, over the schedules'", () =>
      withStore(async (open) => {
        const first = await open([{ maxCharacters: 500 }]);
        await first.update(11_000);
        expect(first).toMatchObject({ value: 11_000, source: 'instance' });
        expect(await open([{ maxCharacters: 500 }])).toMatchObject({ value: 11_000, source: 'stored' });
        await first.update(5_000);
        expect(await open([])).toMatchObject({ value: 5_000, source: 'stored' });
      }));
  });
}
