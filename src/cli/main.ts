import { config as loadDotenv } from 'dotenv';
import { Command, CommanderError, Option } from 'commander';
import { HeroldError, UsageError } from '../errors.ts';
import type { RehearseCommandOptions } from './rehearse.ts';
import type { SandboxCommandOptions } from './sandbox.ts';

// Each command loads its own modules when it runs: `validate` and `preview`
// need neither BullMQ nor masto, and `herold task` on the day should start fast.
const validate = () => import('./validate.ts');
const preview = () => import('./preview.ts');
const run = () => import('./run.ts');
const operator = () => import('./operator.ts');
const operatorArgs = () => import('./operator-args.ts');
const faqCli = () => import('./faq.ts');
const questionsCli = () => import('./questions.ts');
const doctorCli = () => import('./doctor.ts');
const rehearseCli = () => import('./rehearse.ts');
const sandboxCli = () => import('./sandbox.ts');

// Secrets come from the environment or .env, never from flags.
loadDotenv({ quiet: true });

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
    .action(async (file: string) => (await validate()).validateCommand(file, out));

  program
    .command('preview')
    .description('print the full timeline a schedule produces')
    .argument('<file>', 'schedule file')
    .option('--json', 'print one JSON array of {at, kind, id, text, length}')
    .addOption(new Option('--scenario <scenario>', 'how the day goes').choices(['complete', 'backout']).default('complete'))
    .action(async (file: string, options: { json?: boolean; scenario: 'complete' | 'backout' }) =>
      (await preview()).previewCommand(file, options, out),
    );

  program
    .command('run')
    .description('run the scheduler, the worker and the HTTP server (default: every file in schedules/)')
    .argument('[files...]', 'schedule files')
    .option('--accept-dms', "let DMs from accounts the bot doesn't follow through Mastodon's notification policy, so Herold can answer them")
    .action(async (files: string[], options: { acceptDms?: boolean }) => (await run()).runCommand(files, options));

  program
    .command('rehearse')
    .description('rehearse a schedule against a built-in sandbox Mastodon, with time compressed, and write a transcript')
    .argument('<file>', 'schedule file, e.g. schedules/wien-rocks-2023-02-12.yaml')
    .option('--speed <n>', 'how many times faster than real time (default 60000: the wien.rocks demo takes about 45 s)')
    .option('--window-speed <n>', 'speed inside the maintenance window (default 1000, or --speed if smaller)')
    .option('--questions <file>', 'questions users send (TSV: id<TAB>question; default a few from test/faq-questions.tsv)')
    .option('--script <file>', 'operator actions (YAML list) instead of finishing each task at its planned time')
    .option('--outage', 'take the instance down from the start until the expected end of the downtime')
    .option('--no-fallback', 'with --outage: no fallback account (by default one on a second sandbox instance takes the start toot and milestones)')
    .option('--mastodon-version <version>', 'the Mastodon release the sandbox behaves as: 4.0, 4.3, 4.5 or 4.6 (default, the newest)')
    .addOption(new Option('--scenario <scenario>', 'how the day goes').choices(['complete', 'backout']).default('complete'))
    .option('--transcript <file>', 'where the Markdown transcript goes (default rehearsals/<id>-<time>.md)')
    .option('--port <port>', 'port of the status page (default: a free one)')
    .addOption(new Option('--log-level <level>', 'worker log level, on stderr').choices(['debug', 'info', 'warn', 'error', 'silent']).default('error'))
    .action(async (file: string, options: RehearseCommandOptions) => (await rehearseCli()).rehearseCommand(file, options, out));

  program
    .command('sandbox')
    .description('run an in-memory Mastodon (versions 4.0 to 4.6) to try Herold without a real instance or to reproduce a failure by hand')
    .option('--port <n>', 'port to listen on; 0 picks a free one', '3000')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--domain <domain>', 'instance domain used in URIs and accts', 'wien.rocks')
    .option('--mastodon-version <version>', 'behave like Mastodon 4.0, 4.3, 4.5 or 4.6 (default 4.6, the newest)')
    .option('--report-version <string>', 'version string the instance reports instead of the profile\'s, e.g. 4.6.0-rc.1 (behaviour stays the profile\'s)')
    .option('--json', 'print {"url","streamingUrl","token","accounts":[{"acct","token"}]} as the first line')
    .option('--accounts <n>', 'extra ordinary users (anna, ferdl, ...) who can mention the bot', '0')
    .option('--no-rate-limit', 'switch every rate limit off')
    .option('--rate-scale <n>', 'divide every rate-limit period, e.g. 1000 runs the 3 h statuses window in 10.8 s')
    .option('--rate-bucket <spec...>', 'change a bucket: <bucket>=<limit>[/<period seconds>], buckets account, token, ip, media, paging, deletes, statuses')
    .option('--pins <n>', 'statuses the bot has pinned already (0 to 5)')
    .option('--idempotency-ttl <seconds>', 'how long an Idempotency-Key is remembered (Mastodon: 3600)')
    .option('--fault <fault>', 'lost-answer, or slow-commit=<ms>: hits writes to statuses')
    .option('--fault-times <n>', 'how many writes the fault hits (default: all)')
    .option('--fault-first-per-key', 'the fault hits only the first request of each Idempotency-Key (a retry gets through)')
    .option('--account-state <state>', 'the bot\'s login: active, pending (not approved) or unconfirmed (e-mail); the last two get 403')
    .option('--max-characters <n>', 'the instance character limit', '500')
    .option('--notification-policy <value>', 'accept, filter or drop for every policy setting')
    .option('--outage <outage>', 'start in an outage: html502, or slow=<ms> (every answer late)')
    .action(async (options: SandboxCommandOptions) => (await sandboxCli()).sandboxCommand(options, out));

  const warn = (line: string) => process.stderr.write(`${line}\n`);
  const scheduleOption = () => new Option('--schedule <file...>', "schedule files (default: the schedules herold run stored in Redis; before its first run, every file in schedules/)");
  const queueAnyway = () => new Option('--queue-anyway', 'queue the change even when no herold run beats on this Redis and prefix, or it runs another version of the schedule');

  program
    .command('task')
    .description('record a task change; the progress toot is edited')
    .argument('[schedule-id]', 'required, like the two after it')
    .argument('[task-id]')
    .argument('[status]', 'running, done, failed or skipped; or läuft, erledigt (fertig), fehlgeschlagen, übersprungen')
    .option('--note <text>', 'a short note shown with the task (public: on a milestone task it is posted in the thread)')
    .option('--at <time>', 'when it happened: 16:40 (on the window\'s day) or a full local time; a repeated done keeps the first time otherwise')
    .addOption(scheduleOption())
    .addOption(queueAnyway())
    .action(async (a: string | undefined, b: string | undefined, c: string | undefined, options: { note?: string; at?: string; schedule?: string[]; queueAnyway?: boolean }) => {
      const { withOperations, cliNote, cliTime } = await operator();
      const { taskArgs } = await operatorArgs();
      const note = cliNote(options.note);
      await withOperations({ schedules: options.schedule }, async (ops, session) => {
        const { scheduleId, taskId, status } = taskArgs([a, b, c], session.schedules);
        const schedule = ops.schedule(scheduleId);
        const at = options.at === undefined ? undefined : cliTime(ops, scheduleId, options.at);
        session.requireRunning(schedule.id, options.queueAnyway, warn);
        const result = await ops.taskChange(scheduleId, taskId, status, note, { at });
        const shown = result.at.setZone(schedule.timezone).toFormat('HH:mm');
        out(`✔ ${scheduleId}/${taskId} is ${result.status} (version ${result.version}) since ${shown}; the progress toot will be edited.${result.completed ? ' All tasks are finished: the completion toot follows.' : ''}`);
      });
    });

  program
    .command('window')
    .description('move the deadline, or declare the outcome now')
    .argument('[schedule-id]', 'required, like the action')
    .argument('[action]', 'extend, backout, complete or cancel')
    .argument('[time]', "the new deadline for extend: 21:00 (on the window's day, in its zone), +30m (after the current deadline), or a full local time")
    .option('--yes', 'confirm moving the deadline earlier than the one followers were told')
    .addOption(scheduleOption())
    .addOption(queueAnyway())
    .action(async (a: string | undefined, b: string | undefined, c: string | undefined, options: { yes?: boolean; schedule?: string[]; queueAnyway?: boolean }) => {
      const { withOperations } = await operator();
      const { windowArgs } = await operatorArgs();
      await withOperations({ schedules: options.schedule }, async (ops, session) => {
        const { scheduleId, action, time } = windowArgs([a, b, c], session.schedules);
        const schedule = ops.schedule(scheduleId);
        if (action === 'extend') {
          if (!time) throw new UsageError(`Give the new deadline, e.g. herold window ${scheduleId} extend ${schedule.window.deadline.plus({ hours: 1 }).toFormat('HH:mm')}, or extend +30m.`);
          session.requireRunning(schedule.id, options.queueAnyway, warn);
          const deadline = await ops.extend(scheduleId, time, { allowEarlier: options.yes });
          out(`✔ The back-out deadline of ${scheduleId} is now ${deadline.setZone(schedule.timezone).toFormat('dd.MM.yyyy HH:mm')}.`);
        } else {
          session.requireRunning(schedule.id, options.queueAnyway, warn);
          await ops.declare(scheduleId, action);
          out(`✔ ${scheduleId} is now ${action === 'cancel' ? 'cancelled' : action}; the toot follows.`);
        }
      });
    });

  program
    .command('status')
    .description('the window, tasks, posted toots and pending jobs of a schedule, and which version the service runs')
    .argument('[schedule-id]', 'default: the only schedule there is')
    .option('--json', 'print JSON')
    .addOption(scheduleOption())
    .addOption(queueAnyway().hideHelp())
    .action(async (id: string | undefined, options: { json?: boolean; schedule?: string[]; queueAnyway?: boolean }) => {
      const { withOperations, formatStatus, statusJson } = await operator();
      const { statusArg } = await operatorArgs();
      await withOperations({ schedules: options.schedule }, async (ops, session) => {
        const report = await ops.status(statusArg(id, session.schedules));
        if (options.json) out(JSON.stringify(statusJson(report, session.services), null, 2));
        else for (const line of formatStatus(report, session.services)) out(line);
        // The report is shown either way; a missing service is still an error for scripts.
        const problem = session.problem(report.schedule.id);
        if (problem !== null && options.queueAnyway) warn(`⚠ ${problem}`);
        else if (problem !== null) throw new HeroldError(problem);
      });
    });

  program
    .command('doctor')
    .description('check config, Redis, the token, the instance and the schedules before the day; exit 1 on a failure')
    .argument('[files...]', 'schedule files (default: every file in schedules/)')
    .action(async (files: string[]) => (await doctorCli()).doctorCommand(files, out));

  program
    .command('questions')
    .description('questions no FAQ entry answered: the askers were told a person will reply')
    .option('--json', 'print a JSON array')
    .option('--done <id...>', 'mark questions (notification ids) as answered by a person')
    .action(async (options: { json?: boolean; done?: string[] }) => (await questionsCli()).questionsCommand(options, out));

  const faq = program.command('faq').description('the FAQ that answers users\' questions');
  faq
    .command('ask')
    .description('show which FAQ entry answers a question, and the answer')
    .argument('<question>')
    .option('--schedule <file>', 'schedule whose dates the answer uses (default: what herold run runs, with its live state; else schedules/wien-rocks-2023-02-12.yaml)')
    .option('--json', 'print {id, score, text}')
    .action(async (question: string, options: { schedule?: string; json?: boolean }) => (await faqCli()).faqAskCommand(question, options, out));
  faq
    .command('eval')
    .description('run a labelled question set (TSV: id<TAB>question) and report accuracy')
    .argument('[file]', 'question set', 'test/faq-questions.tsv')
    .option('--min-accuracy <ratio>', 'exit 1 if the accuracy is lower, e.g. 0.9 or 90%')
    .option('--json', 'print the report as one JSON object (per id, per language, every miss)')
    .action(async (file: string | undefined, options: { minAccuracy?: string; json?: boolean }) => (await faqCli()).faqEvalCommand(file, options, out));

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

// No top-level await: the bundle that `herold` starts from is a CommonJS script (bin/build.js).
void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
