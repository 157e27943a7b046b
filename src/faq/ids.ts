/**
 * The FAQ entry ids Herold knows. They are fixed because templates, question
 * sets and the CLI refer to them; faq.yaml must define every one of them.
 */
export const FAQ_IDS = [
  'termin',
  'dauer',
  'grund',
  'daten',
  'erreichbarkeit',
  'backout',
  'version',
  'registrierung',
  'verein',
  'infrastruktur',
  'status',
] as const;

export type FaqId = (typeof FAQ_IDS)[number];

/** The pseudo id for "no confident match": a person answers instead. */
export const FALLBACK_ID = 'fallback';

export function isFaqId(value: string): value is FaqId {
  return (FAQ_IDS as readonly string[]).includes(value);
}

/** The pseudo id for thanks, praise and good wishes: a favourite, no answer, nothing for the admins' to-do list. */
export const THANKS_ID = 'thanks';

/** "Sag Bescheid, wenn ihr wieder da seid": one DM when the maintenance completes or backs out. */
export const NOTIFY_ID = 'notify';

/** "Doch nicht": the follower takes the request back. */
export const NOTIFY_CANCEL_ID = 'notify-cancel';
