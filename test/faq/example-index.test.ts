import { describe, expect, test } from 'vitest';
import { createAnalyzer } from '../../src/faq/analyzer.ts';
import { createExampleIndex } from '../../src/faq/example-index.ts';

const examples = [
  { id: 'dauer', question: 'Wann ist alles wieder oben? Will am Abend den Tatort schauen' },
  { id: 'grund', question: 'Wozu das Ganze, wenn eh alles funktioniert hat?' },
  { id: 'fallback', question: 'Wie lange kocht man ein Ei?' },
  { id: 'termin', question: 'Wozu das Ganze, wenn eh alles funktioniert hat?' },
];
const analyzer = createAnalyzer({}, examples.map((example) => example.question));
const index = createExampleIndex(analyzer, examples);

describe('example index', () => {
  test('an example asked again is found with similarity 1; of two equal examples the first wins', () => {
    expect(index.nearest('Wozu das Ganze, wenn eh alles funktioniert hat?')).toMatchObject({ id: 'grund', similarity: 1 });
    expect(index.size).toBe(4);
  });

  test('a paraphrase sharing the telling words finds its example, with a similarity below 1', () => {
    const nearest = index.nearest('wann is wieder alles oben, am abend is tatort');
    expect(nearest?.id).toBe('dauer');
    expect(nearest!.similarity).toBeGreaterThan(0.5);
    expect(nearest!.similarity).toBeLessThan(1);
  });

  test('a question that shares no word with any example has no nearest example', () => {
    expect(index.nearest('Grüß Gott')).toBeUndefined();
    expect(index.nearest('')).toBeUndefined();
    expect(createExampleIndex(analyzer, []).nearest('Wie lange kocht man ein Ei?')).toBeUndefined();
  });
});
