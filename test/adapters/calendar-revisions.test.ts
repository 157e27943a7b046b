import { MemoryCalendarRevisions } from '../../src/adapters/memory/memory-calendar-revisions.ts';
import { CalendarSequenceStore } from '../../src/adapters/redis/calendar-sequence-store.ts';
import { calendarRevisionsContract } from './calendar-revisions.contract.ts';
import { inMemory, onFreshPrefix } from './store-fixture.ts';

calendarRevisionsContract('Redis', () => onFreshPrefix((redis, prefix) => new CalendarSequenceStore(redis, prefix)));
calendarRevisionsContract('memory', () => inMemory(new MemoryCalendarRevisions()));
