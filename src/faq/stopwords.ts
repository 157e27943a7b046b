/**
 * Function words that carry no topic, in folded spelling (see normalize.ts).
 * They are dropped from questions and keywords alike, so "Wann geht es denn
 * los?" and the keyword "wann geht los" line up.
 *
 * Deliberately NOT here, because some keyword or phrase needs them: wann,
 * warum, wie ("wie weit", not "weiter"), was and wenn ("was, wenn …"), wo,
 * wer, bis, um ("zieht … um"), nicht, kein(e), mehr, wieder, schon, weg,
 * los, and the English when/why/where/if/not/down/long.
 */
const GERMAN = `
aber allem aller alles also am an ander andere auch auf aus bei beim bin bist bitte
bzw da dabei damit dann das dass dein deine deinem deinen deiner dem den denn der des dessen die
dies diese diesem diesen dieser dieses doch dort du eh ein eine einem einen einer eines
einfach eigentlich er es etwa etwas euch euer eure eurem euren eurer fuer ganz gar gell genau
gerade grad gibt gab habe haben habt hab hast hat hatte hier ich ihm ihn ihnen ihr ihre ihren im
in ins ist ja jetzt kann kannst koennen koennt koennte man mal mein meine meinem meinen meiner
mich mir mit muss musst muessen na noch nun nur ob oder sehr sein seid sich sie sind so soll
sollen sollte uns unser unsere und vom von vor war waren weil werde werden werdet
wir wird wirst wohl wuerde wuerden zu zum zur ueber zb jemand hallo hi hey servus griass gruess
gott moin liebe lieber oida heast geh jo bissl bisserl eben ebenfalls vielleicht
machen macht mache tun tut fragt gefragt wissen will wollen moechte moecht verstanden versteh verstehe
nur halt irgendwie irgendwas ungefaehr circa
`;

const ENGLISH = `
a about am an and any are be can could do does did for from have has i im is it its me my of on
or our please so that the there this to us we will with would you your hello
ask asks asked asking want wants wanted know wonder wonders wondering
ca don won isn doesn didn wasn aren haven hasn shouldn wouldn couldn t ll ve re d m
only just get got getting really also even anything need needs roughly approximately as at into than too very
`;

export const STOPWORDS: ReadonlySet<string> = new Set(
  `${GERMAN} ${ENGLISH}`.split(/\s+/).filter((word) => word !== ''),
);
