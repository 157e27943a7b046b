/**
 * Text someone else wrote (a question from a user, an operator's note) is
 * printed in terminals, written to logs, stored in Redis and put in toots.
 * Before any of that it loses what could act instead of being read:
 * terminal escape sequences (ESC/CSI/OSC: clear the screen, recolour, make
 * links), every other C0 and C1 control character, and the bidi controls
 * that make text display in a different order than it is stored.
 */

// CSI (ESC [ … final byte, or the 8-bit 0x9B), OSC (ESC ] … BEL or ST, or 0x9D), and other two-byte ESC sequences.
const ESCAPE_SEQUENCE = /(?:\u001b\[|\u009b)[\u0030-\u003f]*[\u0020-\u002f]*[\u0040-\u007e]?|(?:\u001b\]|\u009d)[^\u0007\u001b\u009c]*(?:\u0007|\u001b\\|\u009c)?|\u001b[\u0020-\u002f]*[\u0030-\u007e]?/g;
// C0 except tab and line feed, DEL, C1.
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;
// Embeddings and overrides (LRE RLE PDF LRO RLO), isolates (LRI RLI FSI PDI), and the marks (LRM RLM ALM).
const BIDI = /[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/g;

export interface SafeTextOptions {
  /** Keep line breaks (a question); otherwise they become spaces (a note, a log line). Default true. */
  readonly newlines?: boolean;
}

export function safeText(text: string, options: SafeTextOptions = {}): string {
  let safe = text.replace(/\r\n?/g, '\n').replace(ESCAPE_SEQUENCE, '').replace(CONTROL, '').replace(BIDI, '').replace(/\t/g, ' ');
  if (options.newlines === false) safe = safe.replace(/\n/g, ' ');
  return safe;
}

/** True when `text` holds nothing `safeText` would remove. */
export function isSafeText(text: string): boolean {
  return safeText(text) === text.replace(/\r\n?/g, '\n').replace(/\t/g, ' ');
}
