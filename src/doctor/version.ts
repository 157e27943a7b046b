/** Editing a status needs Mastodon 3.5 (PUT /api/v1/statuses/:id). */
export const EDIT_SINCE = [3, 5] as const;

export interface ParsedVersion {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
  /** Another server that reports a Mastodon-compatible version ("… (compatible; Pleroma 2.5)"). */
  readonly compatible: string | null;
}

/** "4.3.0", "4.2.10+glitch", "4.4.0-beta.1", "2.7.2 (compatible; Akkoma 3.10)". */
export function parseVersion(version: string): ParsedVersion | null {
  const match = /^\s*v?(\d+)\.(\d+)(?:\.(\d+))?/.exec(version);
  if (!match) return null;
  const compatible = /\(compatible;\s*([^)]+)\)/.exec(version)?.[1]?.trim() ?? null;
  return { major: Number(match[1]), minor: Number(match[2]), patch: Number(match[3] ?? 0), compatible };
}

export function supportsEditing(version: ParsedVersion): boolean {
  return version.major > EDIT_SINCE[0] || (version.major === EDIT_SINCE[0] && version.minor >= EDIT_SINCE[1]);
}
