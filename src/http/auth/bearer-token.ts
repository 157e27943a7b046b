/**
 * The token of an `Authorization: Bearer <token>` header, or '' when there
 * is none. The scheme name is case-insensitive (RFC 7235 §2.1), so `bearer`
 * and `BEARER` work as well; any amount of spaces may follow it.
 */
export function bearerToken(header: string | undefined): string {
  const match = /^bearer +(\S+) *$/i.exec(header ?? '');
  return match ? match[1]! : '';
}
