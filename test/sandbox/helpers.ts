/** Shared bits of the sandbox tests: clients against a running sandbox and small waits. */
import { createRestAPIClient, type mastodon } from 'masto';
import type { Sandbox } from '../../src/sandbox/index.ts';

export const BOT_TOKEN = 'sandbox-token';

/** The bot and two ordinary people, each with a token named after them. */
export const BOT_ALICE_BOB = [
  { username: 'b2c', token: BOT_TOKEN, bot: true },
  { username: 'alice', token: 'alice-token' },
  { username: 'bob', token: 'bob-token' },
];

export function restClient(sandbox: Sandbox, accessToken = BOT_TOKEN, timeout?: number): mastodon.rest.Client {
  return createRestAPIClient(timeout === undefined ? { url: sandbox.url, accessToken } : { url: sandbox.url, accessToken, timeout });
}

/** A raw request to the sandbox, for what masto hides (headers, status codes, bodies of errors). */
export async function api(
  sandbox: Sandbox,
  path: string,
  init: RequestInit & { token?: string | null; json?: unknown } = {},
): Promise<{ status: number; headers: Headers; body: unknown; text: string }> {
  const { token = BOT_TOKEN, json, ...rest } = init;
  const headers = new Headers(rest.headers);
  if (token !== null) headers.set('Authorization', `Bearer ${token}`);
  let body = rest.body;
  if (json !== undefined) {
    headers.set('Content-Type', 'application/json');
    body = JSON.stringify(json);
  }
  const response = await fetch(`${sandbox.url}${path}`, { ...rest, headers, body });
  const text = await response.text();
  let parsed: unknown = undefined;
  if (response.headers.get('content-type')?.startsWith('application/json')) parsed = JSON.parse(text);
  return { status: response.status, headers: response.headers, body: parsed, text };
}

/** Takes the rejection of a promise that must fail. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('Expected the promise to reject, but it resolved.');
}

/** The ids of a JSON list of entities (statuses, notifications), in the order the server sent them. */
export const ids = (body: unknown): string[] => (body as { id: string }[]).map((s) => s.id);
