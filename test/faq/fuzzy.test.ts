import { describe, expect, test } from 'vitest';
import { createAnalyzer } from '../../src/faq/analyzer.ts';
import { splitCompound } from '../../src/faq/compound.ts';
import { closestWords, groupByLength, tolerance, typoBetween, typoDistance } from '../../src/faq/typo.ts';

describe('typo distance', () => {
  test.each([
    ['lange', 'lnage', 1],
    ['version', 'versoin', 1],
    ['version', 'versiom', 1],
    ['registrierung', 'registrirung', 1],
    ['abc', 'cba', 2],
    ['umzug', 'umzug', 0],
  ])('%s ↔ %s = %i', (a, b, expected) => {
    expect(typoDistance(a, b)).toBe(expected);
  });

  test.each([
    [4, 'none'],
    [5, 'swap'],
    [6, 1],
    [8, 1],
    [9, 2],
  ])('words of length %i tolerate %s', (length, expected) => {
    expect(tolerance(length)).toBe(expected);
  });

  test.each([
    ['wann', 'dann', undefined],
    ['lnage', 'lange', 1],
    ['sehen', 'stehen', undefined],
    ['stadt', 'stand', undefined],
    ['vereinn', 'verein', 1],
    ['verinn', 'verein', undefined],
    ['errreichbarkeit', 'erreichbarkeit', 1],
    ['erreichbrkeit', 'erreichbarkeit', 1],
    ['infrastrucktur', 'infrastruktur', 1],
    ['fördermitglid', 'foerdermitglied', undefined],
    ['foerdermitglid', 'foerdermitglied', 1],
    ['umzug', 'umzug', undefined],
  ])('%s → %s: %s', (token, known, expected) => {
    expect(typoBetween(token, known)).toBe(expected);
  });

  test('closestWords prefers the nearest word and reports ties', () => {
    const known = groupByLength(['verein', 'version', 'verlieren', 'termin']);
    expect(closestWords('vereim', known)).toEqual(['verein']);
    expect(closestWords('xyzxyz', known)).toEqual([]);
    const tie = groupByLength(['dauern', 'lauern']);
    expect(closestWords('pauern', tie).sort()).toEqual(['dauern', 'lauern']);
  });
});

describe('compound splitting', () => {
  const known = (word: string) => (['daten', 'verlust', 'wartung', 'arbeiten', 'umzug', 'termin', 'mitglied'].includes(word) ? word : undefined);

  test.each([
    ['datenverlust', ['daten', 'verlust']],
    ['wartungsarbeiten', ['wartung', 'arbeiten']],
    ['umzugstermin', ['umzug', 'termin']],
    ['umzugsstress', ['umzug']],
  ])('%s → %j', (word, parts) => {
    const split = splitCompound(word, known);
    expect(split?.flatMap((part) => part.value ?? [])).toEqual(parts);
  });

  test('a short known part alone is not enough', () => {
    const shortKnown = (word: string) => (word === 'dns' ? word : undefined);
    expect(splitCompound('dnsfoobar', shortKnown)).toBeUndefined();
    expect(splitCompound('katzenfutter', known)).toBeUndefined();
  });
});

describe('analyzer', () => {
  const analyzer = createAnalyzer(
    {
      umzug: ['migration', 'migrieren', 'zieht um', 'übersiedlung'],
      kaputt: ['hin', 'down', 'geht nichts mehr'],
      verlieren: ['lose', 'verloren', 'verlust'],
      beitraege: ['toots', 'posts'],
    },
    ['umzug', 'kaputt', 'verlieren', 'beitraege', 'daten', 'wartung', 'erreichbar', 'dauert', 'verein', 'brauchen'],
  );
  const keys = (text: string) => analyzer.analyze(text).flatMap((token) => token.keys);

  test.each([
    // synonyms, including separable verbs and multi-word phrases
    ['Wann zieht ihr denn um?', ['umzug']],
    ['Wie lange dauert die Migration?', ['dauert', 'umzug']],
    ['Wann migriert ihr?', ['umzug']],
    ['Übersiedlung', ['umzug']],
    ['Is wien.rocks hin?', ['kaputt']],
    ['site down?', ['kaputt']],
    ['Geht nix mehr?', ['kaputt']],
    ['Will I lose my posts?', ['verli', 'beitraeg']],
    // inflection through the stemmer and by prefix
    ['Ist es erreichbar? Erreichbarkeit?', ['erreichbar', 'erreichbar']],
    ['Vereins', ['verein']],
    ['Wieso braucht ihr das?', ['brauch']],
    // compounds
    ['Gibt es einen Datenverlust?', ['dat', 'verli']],
    ['Wartungsarbeiten', ['wartung']],
    ['Umzugstermin', ['umzug']],
    // typos
    ['Migartion', ['umzug']],
    ['Vereinn', ['verein']],
    ['Erreichbarkiet', ['erreichbar']],
    // nothing to find
    ['Was kochst du heute?', []],
    ['Danke!', []],
  ])('%j → %j', (question, expected) => {
    expect(keys(question)).toEqual(expected);
  });

  test('keywords are read without fuzzy matching', () => {
    expect(analyzer.termKeys('zieht um')).toEqual(['umzug']);
    expect(analyzer.termKeys('geht nichts mehr')).toEqual(['kaputt']);
    expect(analyzer.termKeys('Migartion')).toEqual(['migartion']);
  });
});
