import { MastoHttpError } from 'masto';
import { describe, expect, test } from 'vitest';
import { MastodonUnavailableError } from '../../../src/errors.ts';
import { unseenPostOutcome } from '../../../src/adapters/mastodon/unseen-post-outcome.ts';

const unavailable = (cause: unknown) => new MastodonUnavailableError('The primary instance did not answer while trying to post a status; retrying.', { cause });
const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
const http = (statusCode: number) => new MastoHttpError({ statusCode, message: `HTTP ${statusCode}` });

describe('what a POST without an answer may have done', () => {
  test.each([
    ['a refused connection', new TypeError('fetch failed', { cause: refused }), { notSent: true, mayStillCommit: false }],
    ['a refused connection inside an AggregateError', new TypeError('fetch failed', { cause: new AggregateError([refused]) }), { notSent: true, mayStillCommit: false }],
    ['HTTP 500 from Mastodon (4.6: a repeated key)', http(500), { notSent: false, mayStillCommit: false }],
    ['HTTP 502 from the proxy', http(502), { notSent: false, mayStillCommit: true }],
    ['HTTP 503 (4.6: the key is locked by a POST still running)', http(503), { notSent: false, mayStillCommit: true }],
    ['a timeout', new DOMException('The operation was aborted due to timeout', 'TimeoutError'), { notSent: false, mayStillCommit: true }],
    ['a dropped connection', new TypeError('fetch failed', { cause: Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }) }), { notSent: false, mayStillCommit: true }],
  ])('%s', (_name, cause, outcome) => {
    const error = unseenPostOutcome(unavailable(cause));
    expect(error.outcome).toEqual(outcome);
    expect(error).toBeInstanceOf(MastodonUnavailableError);
    expect(error.message).toMatch(outcome.notSent ? /nothing reached the instance\.$/ : /Herold looks for it before posting again\.$/);
  });
});
