import { beforeAll, describe, expect, test } from 'vitest';
import { HeroldError } from '../../src/errors.ts';
import { createMatcher, loadFaq, type Matcher } from '../../src/faq/index.ts';

describe('matcher on the shipped FAQ', () => {
  let matcher: Matcher;
  beforeAll(async () => {
    const faq = await loadFaq();
    matcher = createMatcher(faq.entries, faq.options);
  });

  test.each([
    // standard German, du/Sie/ihr
    ['Wann findet der Umzug statt?', 'termin'],
    ['Wann werden Sie die Instanz umziehen?', 'termin'],
    ['Wie lange dauert die Wartung?', 'dauer'],
    ['Warum zieht ihr eigentlich um?', 'grund'],
    ['Bleiben meine Follower erhalten?', 'daten'],
    ['Was passiert, wenn die Migration schiefgeht?', 'backout'],
    ['Wird auf Mastodon 4 aktualisiert?', 'version'],
    ['Kann sich meine Freundin dann registrieren?', 'registrierung'],
    ['Wie werde ich Fördermitglied im Verein?', 'verein'],
    ['Läuft das dann auf OpenShift?', 'infrastruktur'],
    ['Wo kann ich den Fortschritt verfolgen?', 'status'],
  ])('plain: %s → %s', (question, id) => {
    expect(matcher.match(question).id).toBe(id);
  });

  test.each([
    // paraphrases, someone else asking, one device failing, English
    ['Meine Mutter fragt, wann wien.rocks nicht geht – wann ist das?', 'termin'],
    ['Mein Vater hat Angst, dass seine Fotos weg sind. Bleiben die?', 'daten'],
    ['Am PC funktioniert es, aber mein Tablet findet den Server nicht.', 'erreichbarkeit'],
    ['Habt ihr für den Ernstfall vorgesorgt?', 'backout'],
    ['Heast, wann drahts ihr das Ding ab?', 'termin'],
    ['Is the move this Sunday?', 'termin'],
    ['How much time do you need for the migration?', 'dauer'],
    ['My wife can’t log in since the move', 'erreichbarkeit'],
    ['Who pays for all this?', 'verein'],
    ['Can you switch back to the old server?', 'backout'],
  ])('paraphrase: %s → %s', (question, id) => {
    expect(matcher.match(question).id).toBe(id);
  });

  test.each([
    ['Wann geht’s los?', 'termin'],
    ['wie lang dauert des', 'dauer'],
    ['is wien.rocks hin?', 'erreichbarkeit'],
    ['geht nix mehr', 'erreichbarkeit'],
    ['san meine Toots weg', 'daten'],
    ['Wie lang dauert die Gschicht?', 'dauer'],
    ['Und wenn die Gschicht in die Hosn geht?', 'backout'],
    ['Kann mein Haberer endlich rein?', 'registrierung'],
    ['Wo kann i a bissl Marie spenden?', 'verein'],
    ['Kann ich einen Beitrag zahlen?', 'verein'],
    ['Ich möcht Mitglied werden', 'verein'],
    ['Is des Kubernetes?', 'infrastruktur'],
    ['Wie schaut’s aus mit dem Umzug?', 'status'],
  ])('Austrian colloquial: %s → %s', (question, id) => {
    expect(matcher.match(question).id).toBe(id);
  });

  test.each([
    ['when is the migration', 'termin'],
    ['will I lose my posts', 'daten'],
    ['site down?', 'erreichbarkeit'],
    ['how long', 'dauer'],
    ['why are you moving?', 'grund'],
    ['what if it fails?', 'backout'],
    ['can my friends sign up?', 'registrierung'],
    ['how can I donate?', 'verein'],
    ['is it kubernetes?', 'infrastruktur'],
    ['any progress?', 'status'],
  ])('English: %s → %s', (question, id) => {
    expect(matcher.match(question).id).toBe(id);
  });

  test.each([
    ['Wie lnage dauert das?', 'dauer'],
    ['Errreichbarkeit?', 'erreichbarkeit'],
    ['Registrirung wieder offen?', 'registrierung'],
    ['Foerdermitgliedschaft', 'verein'],
    ['Fördermitgliedschaft', 'verein'],
    ['Wann ist der Umzugstermin?', 'termin'],
    ['Gibt es Datenverlust?', 'daten'],
    ['Wie lange dauern die Wartungsarbeiten?', 'dauer'],
    ['Wann migriert ihr?', 'termin'],
    ['Warum die Migration?', 'grund'],
    ['Warum ist die Seite nicht erreichbar?', 'erreichbarkeit'],
    ['WANN ZIEHT IHR UM', 'termin'],
  ])('typos, inflection, compounds, case: %s → %s', (question, id) => {
    expect(matcher.match(question).id).toBe(id);
  });

  test.each([
    'Danke!',
    'Super Arbeit 👍',
    'Gute Nacht',
    'lol',
    'Wie geht’s?',
    'Was kochst du heute?',
    'Hallo @herold!',
    '',
    '👍👍👍',
    'Wann?',
    'Warum?',
    'Umzug',
    'Kann ich ein Foto von meiner Katze posten?',
    'Wie lange kocht man ein Ei?',
    'Why do cats purr?',
    'Warum ist der Himmel blau?',
  ])('chit-chat and vague questions fall back: %j', (question) => {
    expect(matcher.match(question).id).toBe('fallback');
  });

  test('a result lists its candidates, best first, and reports the best score even on fallback', () => {
    const result = matcher.match('Wann geht es los?');
    expect(result.candidates[0]?.id).toBe('termin');
    expect(result.score).toBe(result.candidates[0]?.score);
    const scores = result.candidates.map((candidate) => candidate.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));

    const vague = matcher.match('Wann?');
    expect(vague.id).toBe('fallback');
    expect(vague.score).toBeGreaterThan(0);
  });

  test('ignores mentions and URLs in the question', () => {
    expect(matcher.match('@herold@wien.rocks wann ist der Umzug? https://wien.rocks/about').id).toBe('termin');
    expect(matcher.match('@verein @spenden https://spenden.example.org/verein').id).toBe('fallback');
  });
});

describe('matcher scoring rules', () => {
  const entries = [
    { id: 'a', title: 'A', keywords: [{ text: 'apfel', weight: 3 }, { text: 'rot', weight: 1 }] },
    { id: 'b', title: 'B', keywords: [{ text: 'birne', weight: 3 }, { text: 'rot', weight: -2 }, { text: 'gelbe birne', weight: 2 }] },
  ];

  test('threshold: a score below it falls back', () => {
    const strict = createMatcher(entries, { threshold: 4 });
    expect(strict.match('apfel').id).toBe('fallback');
    expect(strict.match('roter apfel').id).toBe('a');
  });

  test('margin: the best entry must lead the runner-up', () => {
    const matcher = createMatcher(entries, { threshold: 3, margin: 1 });
    expect(matcher.match('apfel und birne').id).toBe('fallback');
    expect(matcher.match('apfel und birne').candidates.map((c) => c.score)).toEqual([3, 3]);
  });

  test('negative weights speak against an entry', () => {
    const matcher = createMatcher(entries);
    expect(matcher.match('birne').candidates).toEqual([{ id: 'b', score: 3 }]);
    expect(matcher.match('rote birne').candidates).toEqual([
      { id: 'a', score: 1 },
      { id: 'b', score: 1 },
    ]);
    expect(matcher.match('rot').candidates).toEqual([{ id: 'a', score: 1 }]);
  });

  test('phrases match in order with at most two words in between', () => {
    const matcher = createMatcher(entries);
    expect(matcher.match('gelbe birne').score).toBe(5);
    expect(matcher.match('gelbe reife birne').score).toBe(5);
    expect(matcher.match('gelbe grosse saftige reife birne').score).toBe(3);
    expect(matcher.match('birne gelbe').score).toBe(3);
  });

  test('keywords that normalise alike count once, with the larger weight', () => {
    const matcher = createMatcher([
      { id: 'x', title: 'X', keywords: [{ text: 'lange', weight: 3 }, { text: 'Lange', weight: 1 }, { text: 'lang', weight: 2 }] },
    ]);
    expect(matcher.match('lange').score).toBe(3);
  });

  test('context words only add to entries that matched on their own', () => {
    const matcher = createMatcher(entries, { context: [{ text: 'obst', weight: 1 }] });
    expect(matcher.match('obst').candidates).toEqual([]);
    expect(matcher.match('obst apfel').candidates).toEqual([{ id: 'a', score: 4 }]);
  });

  test('maxUnknownWords: a lone weak keyword amid unknown words falls back, unless anchored', () => {
    const words = [
      { id: 'a', title: 'A', keywords: [{ text: 'apfel', weight: 3 }, { text: 'rot', weight: 1 }] },
      { id: 'k', title: 'K', keywords: [{ text: 'kompott', weight: 4 }] },
    ];
    const gated = createMatcher(words, { maxUnknownWords: 1, addressees: ['ihr'], context: [{ text: 'obst', weight: 1 }] });
    expect(gated.match('apfel').id).toBe('a');
    expect(gated.match('apfel bitte').id).toBe('a');
    // two words the FAQ does not know around one weight-3 keyword: chit-chat
    expect(gated.match('apfel kuchen rezept').id).toBe('fallback');
    // anchored: a second keyword, a topic word, an addressee, a domain, or a decisive keyword
    expect(gated.match('roter apfel kuchen rezept').id).toBe('a');
    expect(gated.match('obst apfel kuchen rezept').id).toBe('a');
    expect(gated.match('habt ihr apfel kuchen rezept').id).toBe('a');
    expect(gated.match('apfel kuchen rezept auf wien.rocks').id).toBe('a');
    expect(gated.match('kompott kuchen rezept').id).toBe('k');
    // without the setting there is no gate
    expect(createMatcher(words).match('apfel kuchen rezept').id).toBe('a');
  });

  test('the token cache does not change results', () => {
    const cached = createMatcher(entries);
    const uncached = createMatcher(entries, { cacheSize: 0 });
    for (const question of ['apfel', 'Äpfel', 'apfell birne', 'birnee']) {
      expect(cached.match(question)).toEqual(uncached.match(question));
      expect(cached.match(question)).toEqual(uncached.match(question));
    }
  });

  test('rejects the reserved id, duplicate ids and keywords made of filler words', () => {
    expect(() => createMatcher([{ id: 'fallback', title: 'F', keywords: [{ text: 'x', weight: 1 }] }])).toThrow(HeroldError);
    expect(() => createMatcher([...entries, entries[0]!])).toThrow(/appears twice/);
    expect(() => createMatcher([{ id: 'c', title: 'C', keywords: [{ text: 'ist das der', weight: 1 }] }])).toThrow(
      /only of stopwords/,
    );
  });

  test('exposes the ids it can answer with', () => {
    expect(createMatcher(entries).ids).toEqual(['a', 'b']);
  });
});
