import { DEFAULT_FAQ_DIR, loadFaq } from '../faq/load-faq.ts';
import { describeProblem } from '../errors.ts';
import { fail, ok, type CheckResult } from './check.ts';

/**
 * The FAQ loads: faq.yaml, every answer (German and English) and examples.tsv. `herold run` starts without
 * it (the toots matter more on the day), but then answers no question; this is where the admins see why.
 */
export async function faqCheck(dir: string = DEFAULT_FAQ_DIR): Promise<CheckResult> {
  try {
    const faq = await loadFaq(dir);
    const languages = Object.keys(faq.answers).join(' and ');
    return ok('faq', `${faq.entries.length} entries with answers in ${languages}, ${faq.examples.length} examples.`);
  } catch (error) {
    return fail('faq', describeProblem(error), 'Fix it and check with `herold faq eval`. Until then herold run posts the toots but answers no question.');
  }
}
