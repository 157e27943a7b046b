import { Command, CommanderError, Option } from 'commander';
import { HeroldError } from '../errors.ts';
import { previewCommand } from './preview.ts';
import { validateCommand } from './validate.ts';

const out = (line: string) => process.stdout.write(`${line}\n`);

export function buildProgram(): Command {
  const program = new Command()
    .name('herold')
    .description('Herold does the talking for Mastodon instance operators during a planned migration.')
    .exitOverride()
    .showHelpAfterError('(run herold --help for the commands)');

  program
    .command('validate')
    .description('check a schedule file and render every toot it can produce')
    .argument('<file>', 'schedule file, e.g. schedules/wien-rocks-2023-02-12.yaml')
    .action((file: string) => validateCommand(file, out));

  program
    .command('preview')
    .description('print the full timeline a schedule produces')
    .argument('<file>', 'schedule file')
    .option('--json', 'print one JSON array of {at, kind, id, text, length}')
    .addOption(new Option('--scenario <scenario>', 'how the day goes').choices(['complete', 'backout']).default('complete'))
    .action((file: string, options: { json?: boolean; scenario: 'complete' | 'backout' }) =>
      previewCommand(file, options, out),
    );

  return program;
}

export async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv, { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 1;
    if (error instanceof HeroldError) {
      process.stderr.write(`✘ ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}

// `herold preview … | head` closes the pipe early; that is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

process.exitCode = await main(process.argv.slice(2));
