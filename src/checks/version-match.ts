import satisfies from 'semver/functions/satisfies.js';
import valid from 'semver/functions/valid.js';

/**
 * Mastodon's reported version as semver: "4.0.2", "4.3.0+glitch",
 * "4.0.0rc1" (older releases wrote pre-releases without a dash),
 * "4.3.0-beta.1". Null when it is not a version at all.
 */
export function mastodonSemver(reported: string): string | null {
  const match = /^v?(\d+)\.(\d+)(?:\.(\d+))?(?:-?([0-9a-z][0-9a-z.-]*))?(?:\+[0-9a-z.+-]*)?$/i.exec(reported.trim());
  if (!match) return null;
  const [, major, minor, patch = '0', pre] = match;
  return valid(`${major}.${minor}.${patch}${pre ? `-${pre}` : ''}`);
}

/**
 * Whether the reported version lies in `range`. Pre-releases count as what
 * they are: 4.0.0rc1 is before 4.0.0, 4.1.0-beta.1 after it.
 */
export function versionMatches(reported: string, range: string): boolean {
  const version = mastodonSemver(reported);
  return version !== null && satisfies(version, range, { includePrerelease: true });
}
