import { describe, expect, test } from 'vitest';
import { prepare } from '../../src/faq/analyzer.ts';
import { standardize } from '../../src/faq/dialect.ts';
import { foldCase, normalize, tokenize } from '../../src/faq/normalize.ts';
import { stem } from '../../src/faq/stem.ts';

describe('foldCase', () => {
  test.each([
    ['WANN', 'wann'],
    ['Übersiedlung', 'uebersiedlung'],
    ['Ueberslung'.replace('sl', 'siedl'), 'uebersiedlung'],
    ['Größe', 'groesse'],
    ['GROESSE', 'groesse'],
    ['Straße', 'strasse'],
    ['STRASSE', 'strasse'],
    ['Fördermitgliedschaft', 'foerdermitgliedschaft'],
    ['Foerdermitgliedschaft', 'foerdermitgliedschaft'],
    ['Änderung', 'aenderung'],
    ['Café', 'cafe'],
    // decomposed umlaut (u + combining diaeresis), as some keyboards send it
    ['Mu\u0308ll', 'muell'],
  ])('%s → %s', (input, expected) => {
    expect(foldCase(input)).toBe(expected);
  });
});

describe('normalize', () => {
  test.each([
    ['Wann geht’s los?', 'wann geht es los'],
    ["Wie lang dauert's?", 'wie lang dauert es'],
    ['@herold@wien.rocks wann ist der Umzug?', 'wann ist der umzug'],
    ['@paula hallo', 'hallo'],
    ['Ist wien.rocks down?', 'ist down'],
    ['siehe https://wien.rocks/@paula/123 bitte', 'siehe bitte'],
    ['www.example.org ist toll', 'ist toll'],
    ['Super Arbeit 👍🏽!!!', 'super arbeit'],
    ['Danke.Wann geht es los', 'danke wann geht es los'],
    ["I can't log in", 'i can not log in'],
    ['It doesn’t load', 'it doesn not load'],
    ['Back-out-Plan?', 'back out plan'],
    ['Mastodon 4.0', 'mastodon 4 0'],
    ['#Fediverse', 'fediverse'],
    ['   ', ''],
  ])('%j → %j', (input, expected) => {
    expect(normalize(input)).toBe(expected);
  });

  test('tokenize splits normalised text and returns nothing for empty input', () => {
    expect(tokenize('Is wien.rocks hin?')).toEqual(['is', 'hin']);
    expect(tokenize('👍')).toEqual([]);
  });
});

describe('dialect', () => {
  test.each([
    ['is', ['ist']],
    ['san', ['sind']],
    ['des', ['des']],
    ['nix', ['nichts']],
    ['ned', ['nicht']],
    ['nimma', ['nicht', 'mehr']],
    ['gehts', ['geht', 'es']],
    ['dauerts', ['dauert', 'es']],
    ['posts', ['posts']],
    ['nichts', ['nichts']],
    ['bereits', ['bereits']],
    ['umzug', ['umzug']],
    ['cant', ['not']],
    ['doesnt', ['not']],
  ])('%s → %j', (input, expected) => {
    expect(standardize(input)).toEqual(expected);
  });

  test('prepare drops filler words but keeps question words', () => {
    expect(prepare('Wie lang dauert des eigentlich?')).toEqual(['wie', 'lang', 'dauert']);
    expect(prepare('San meine Toots weg?')).toEqual(['toots', 'weg']);
    expect(prepare('Was is, wenn die Gschicht in die Hosn geht?')).toEqual(['was', 'wenn', 'gschicht', 'hosn', 'geht']);
  });
});

describe('stemming', () => {
  test.each([
    [['erreichbar', 'erreichbarkeit'], 'erreichbar'],
    [['registrierung', 'registrierungen'], 'registrier'],
    [['freund', 'freunde', 'freunden'], 'freund'],
    [['verein', 'vereins', 'vereine'], 'verein'],
    [['spende', 'spenden'], 'spend'],
    [['dauer', 'dauern'], 'dau'],
  ])('%j share the stem %s', (words, expected) => {
    for (const word of words) expect(stem(word)).toBe(expected);
  });

  test('numbers and short words are left alone', () => {
    expect(stem('2023')).toBe('2023');
    expect(stem('dns')).toBe('dns');
  });
});
