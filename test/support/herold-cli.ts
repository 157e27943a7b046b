import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The repository root: where a user runs `node bin/herold.js`. */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the real CLI (`node bin/herold.js …`) from the repository root as a
 * user would, without colours; `env` adds to (or overrides) the environment.
 */
export function herold(args: readonly string[], env: NodeJS.ProcessEnv = {}): Run {
  const result = spawnSync(process.execPath, ['bin/herold.js', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, ...env, NO_COLOR: '1', FORCE_COLOR: '0' },
    timeout: 90_000,
  });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
