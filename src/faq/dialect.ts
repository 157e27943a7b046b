/**
 * Austrian and Viennese spellings of common words, in folded spelling,
 * mapped to standard German. Topic words ("hin" for broken, "Marie" for
 * money) live in faq.yaml's synonyms where the operator can edit them; this
 * file only covers grammar words and contractions.
 */
const WORDS: Readonly<Record<string, readonly string[]>> = {
  is: ['ist'],
  isses: ['ist', 'es'],
  san: ['sind'],
  sads: ['seid'],
  seids: ['seid'],
  habts: ['habt'],
  hams: ['haben', 'sie'],
  hob: ['habe'],
  ned: ['nicht'],
  net: ['nicht'],
  nit: ['nicht'],
  nix: ['nichts'],
  nixn: ['nichts'],
  nuex: ['nichts'],
  nimma: ['nicht', 'mehr'],
  nimmer: ['nicht', 'mehr'],
  ka: ['kein'],
  kane: ['keine'],
  kaane: ['keine'],
  kan: ['keinen'],
  wos: ['was'],
  wenns: ['wenn', 'es'],
  obs: ['ob', 'es'],
  wies: ['wie', 'es'],
  wias: ['wie', 'es'],
  wia: ['wie'],
  wiaso: ['wieso'],
  i: ['ich'],
  mi: ['mich'],
  mei: ['mein'],
  meini: ['meine'],
  eich: ['euch'],
  scho: ['schon'],
  no: ['noch'],
  jetz: ['jetzt'],
  heit: ['heute'],
  morgn: ['morgen'],
  zruck: ['zurueck'],
  zrueck: ['zurueck'],
  wieda: ['wieder'],
  imma: ['immer'],
  oba: ['aber'],
  a: ['auch'],
  gschwind: ['schnell'],
  // English "not" written without the apostrophe ("cant log in"); with it, normalize.ts splits it off.
  cant: ['not'],
  cannot: ['not'],
  dont: ['not'],
  doesnt: ['not'],
  didnt: ['not'],
  wont: ['not'],
  isnt: ['not'],
  arent: ['not'],
  wasnt: ['not'],
};

/**
 * "geht's" written without the apostrophe: the verb plus "es". Listed one by
 * one, because a general "-ts" rule would also split plurals like "Posts",
 * "Toots" or "Updates".
 */
const CONTRACTED_ES = `
brauchts dauerts funktionierts gehts gfreits gibts hats kommts klappts kummts laeufts laufts machts
passierts schauts startets stehts ziagts wirds
`;

const DIALECT: ReadonlyMap<string, readonly string[]> = new Map([
  ...CONTRACTED_ES.split(/\s+/)
    .filter((word) => word !== '')
    .map((word): [string, readonly string[]] => [word, [word.slice(0, -1), 'es']]),
  ...Object.entries(WORDS),
]);

/** Replaces a dialect or contracted token by its standard form. */
export function standardize(token: string): readonly string[] {
  return DIALECT.get(token) ?? [token];
}
