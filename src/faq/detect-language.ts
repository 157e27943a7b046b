import { eld } from 'eld/medium';
import { withoutAddresses } from './normalize.ts';
import { DEFAULT_LANGUAGE, LANGUAGES, type Language } from './language.ts';

/**
 * Which language a follower wrote in: German (the default) or English.
 * Detection is eld's n-gram model restricted to these two languages; German
 * wins unless English leads clearly, because a German answer to an English
 * question still helps while the reverse confuses the instance's own people,
 * and short Austrian lines ("Is wien.rocks hin?") look English to any model.
 * Its own module because loading the model costs about half a second: only
 * what classifies questions imports it, not `herold validate` or `doctor`.
 */

/**
 * How far eld's English score must lead its German one. Measured on the
 * tuning sets (test/faq-questions.tsv, test/faq-holdout.tsv): every English
 * line led by at least 0.14, the German lines eld called English by 0.05-0.07
 * ("Servus!", "Was ist OpenShift?", "Is wien.rocks hin?").
 */
export const ENGLISH_LEAD = 0.1;

eld.setLanguageSubset([...LANGUAGES]);

export function detectLanguage(text: string): Language {
  // Addresses carry no language and "wien.rocks" reads as English n-grams.
  const scores = eld.detect(withoutAddresses(text)).getScores();
  return (scores.en ?? 0) - (scores.de ?? 0) >= ENGLISH_LEAD ? 'en' : DEFAULT_LANGUAGE;
}
