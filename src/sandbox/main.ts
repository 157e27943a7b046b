/**
 * Runs the sandbox on its own for manual testing:
 *
 *   npx tsx src/sandbox/main.ts --port 3000
 *
 * Options: --port, --host, --domain, --max-characters, --no-rate-limit.
 */
import { parseArgs } from 'node:util';
import { startSandbox } from './index.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '3000' },
    host: { type: 'string', default: '127.0.0.1' },
    domain: { type: 'string', default: 'wien.rocks' },
    'max-characters': { type: 'string', default: '500' },
    'no-rate-limit': { type: 'boolean', default: false },
  },
});

const port = Number(values.port);
const maxCharacters = Number(values['max-characters']);
if (!Number.isInteger(port) || port < 0 || port > 65_535) {
  console.error(`--port must be a port number from 0 to 65535; got "${values.port}".`);
  process.exit(1);
}
if (!Number.isInteger(maxCharacters) || maxCharacters < 1) {
  console.error(`--max-characters must be a positive whole number; got "${values['max-characters']}".`);
  process.exit(1);
}

const sandbox = await startSandbox({
  port,
  host: values.host,
  domain: values.domain,
  maxCharacters,
  ...(values['no-rate-limit'] ? { rateLimit: null } : {}),
});
const bot = sandbox.account('b2c');

console.log(`Mastodon sandbox for ${sandbox.domain} listening on ${sandbox.url}`);
console.log(`Streaming:    ${sandbox.streamingUrl}/api/v1/streaming`);
console.log(`Access token: ${bot?.token ?? '(none)'} (account @${bot?.username ?? '?'}, scopes ${bot?.scopes.join(' ') ?? ''})`);
console.log('Stop with Ctrl+C.');

const stop = (): void => {
  void sandbox.close().then(() => process.exit(0));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
