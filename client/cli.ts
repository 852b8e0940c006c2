import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import * as definitions from '../workflows/definitions';
import { rejectionJsonSchema } from '../workflows/input';
import { describeFallback, STAGES, type SequenceStatus } from '../workflows/status';
import { act } from './actions';
import { apiCommand, importCommand } from './api/commands';
import { codecServerCommand } from './codec-server';
import { connectClient, readClientConfig } from '../common/connection';
import { readSecretFiles } from '../common/secret-files';
import type { DevOptions } from './dev';
import { googleCommand } from './google-auth';
import { formatPreview, previewLines } from './preview';
import { readRejectionFile } from './rejection-file';
import { INSECURE_PLAINTEXT_FLAG, refusePlaintextWrites } from './plaintext-guard';
import { isStage, listSequences, sequenceStatus, type SequenceTarget } from './sequences';
import { SequenceService } from './api/service';
import { checkTenantOption, defaultTenant } from './default-tenant';
import { eraseCommand } from './erase';
import { suppressionCommand } from './suppressions';
import { tenantsCommand } from './tenants';

/** Runs `work` with a connected client, and closes the connection afterwards. */
async function withClient<T>(work: (client: Awaited<ReturnType<typeof connectClient>>['client'], taskQueue: string) => Promise<T>): Promise<T> {
  const config = readClientConfig();
  const { client, close } = await connectClient(config);
  try {
    return await work(client, config.ONWARD_TASK_QUEUE);
  } finally {
    await close();
  }
}

/** Packages only `onward dev` uses: development dependencies, absent from production installs and the image. */
const DEV_ONLY_PACKAGES = ['@temporalio/testing', 'smtp-server', 'mailparser'];

/** `onward dev`'s module, or an error that says it is a development command when its packages are not installed. */
function loadDevCommand(): typeof import('./dev') {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a lazy load, from source and from dist alike
    return require('./dev') as typeof import('./dev');
  } catch (error) {
    const message = (error as Error).message;
    if (DEV_ONLY_PACKAGES.some((name) => message.includes(`'${name}'`))) {
      throw new Error(
        '`onward dev` is a development command: it needs the development dependencies, which production installs and the ' +
          'container image leave out. Run it from a clone after `npm ci` (docs/production.md runs Onward with Docker Compose).',
      );
    }
    throw error;
  }
}

/** A rejection id, in a tenant's scope when --tenant is given (sequences started through the API or webhooks). */
const targetOf = (id: string, tenant: string | undefined): SequenceTarget =>
  tenant === undefined ? id : { rejectionId: id, workflowId: definitions.workflowIdFor(id, tenant) };
const TENANT_OPTION = ['--tenant <tenant>', 'the tenant the sequence belongs to (started through the API or a webhook)'] as const;

const count = (value: string): number => {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('must be a whole number');
  return Number(value);
};

function formatStatus(status: SequenceStatus): string {
  const lines = [
    `${status.candidate}: ${status.role} at ${status.company}`,
    `stage: ${status.stage}${status.paused ? ' (paused)' : ''}    grieving until: ${status.grievingEndsAt}`,
    `feedback: ${status.feedback.state}${status.feedback.deadline ? ` (deadline ${status.feedback.deadline})` : ''}`,
    ...status.feedback.received.map((entry) => `  - ${entry.text}${entry.from ? ` (${entry.from})` : ''}`),
    `progress: ${status.progress.applications} applications, ${status.progress.interviews} interviews`,
    '',
    'timeline:',
    ...status.timeline.map((entry) => {
      const when = entry.sentAt ?? entry.scheduledAt;
      const detail = entry.error ?? entry.note ?? entry.messageId ?? '';
      const draft = entry.draft ? `\n      draft "${entry.draft.subject}" waits for approval: ${describeFallback(entry.draft)}` : '';
      return `  ${when}  ${entry.status.padEnd(17)} ${entry.key.padEnd(18)} ${entry.to}  ${detail}${draft}`;
    }),
  ];
  return lines.join('\n');
}

export function buildProgram(): Command {
  const program = new Command('onward')
    .description('Turns a job rejection into a durable follow-up sequence on Temporal.')
    .showHelpAfterError();

  program
    .command('preview')
    .description('show what will happen and when, without starting anything (no server needed)')
    .argument('<file>', 'rejection JSON file')
    .option('--json', 'print JSON')
    .action((file: string, options: { json?: boolean }) => {
      const input = readRejectionFile(file);
      console.log(options.json ? JSON.stringify(previewLines(input), null, 2) : formatPreview(input));
    });

  program
    .command('start')
    .description('validate a rejection file and start its sequence (starting it twice starts nothing new)')
    .argument('<file>', 'rejection JSON file')
    .option('--tenant <tenant>', "the tenant whose dashboard and API see the sequence (its id is then scoped: status --tenant); by default the single configured tenant, else `onward dev`'s")
    .option(INSECURE_PLAINTEXT_FLAG, 'write the personal data in clear when no payload key is set (a keyless test server only)')
    .action(async (file: string, options: { insecurePlaintext?: boolean; tenant?: string }) => {
      checkTenantOption(options.tenant);
      const input = readRejectionFile(file);
      refusePlaintextWrites(readClientConfig().TEMPORAL_ADDRESS, options.insecurePlaintext);
      // Without --tenant the id stays unscoped (`onward status ID` finds it) and the default tenant's dashboard shows it.
      const tenant = options.tenant ?? defaultTenant();
      const result = await withClient((client, taskQueue) => new SequenceService(client, taskQueue).start(input, tenant, { unscopedId: options.tenant === undefined }));
      console.log(
        result.outcome === 'started'
          ? `Started sequence ${result.workflowId}.`
          : `Sequence ${result.workflowId} already exists for rejection "${input.rejection.id}": nothing new was started.`,
      );
    });

  program
    .command('status')
    .description("show a sequence's stage, timeline, feedback and progress")
    .argument('<id>', 'rejection id')
    .option(...TENANT_OPTION)
    .option('--json', 'print JSON')
    .action(async (id: string, options: { json?: boolean; tenant?: string }) => {
      const status = await withClient((client) => sequenceStatus(client, targetOf(id, options.tenant)));
      console.log(options.json ? JSON.stringify(status, null, 2) : formatStatus(status));
    });

  program
    .command('list')
    .description('list sequences, newest first')
    .addOption(new Option('--stage <stage>', 'only sequences at this stage').choices([...STAGES]))
    .option('--json', 'print JSON')
    .action(async (options: { stage?: string; json?: boolean }) => {
      const stage = options.stage && isStage(options.stage) ? options.stage : undefined;
      const sequences = await withClient((client) => listSequences(client, { stage }));
      if (options.json) return console.log(JSON.stringify(sequences, null, 2));
      if (sequences.length === 0) return console.log('No sequences.');
      for (const sequence of sequences) console.log(`${sequence.rejectionId.padEnd(30)} ${sequence.stage.padEnd(17)} started ${sequence.startedAt.toISOString()}`);
    });

  const action = (name: string, description: string) => program.command(name).description(description).argument('<id>', 'rejection id').option(...TENANT_OPTION);
  const report = (id: string, stage: string) => console.log(`rejection-${id}: ${stage}`);

  action('ready', 'end the grieving period now').action(async (id: string, options: { tenant?: string }) => {
    report(id, await withClient((client) => act(client, targetOf(id, options.tenant), definitions.readyUpdate)));
  });
  action('snooze', 'extend the grieving period')
    .argument('<duration>', 'e.g. "2 days"')
    .action(async (id: string, duration: string, options: { tenant?: string }) => {
      report(id, await withClient((client) => act(client, targetOf(id, options.tenant), definitions.snoozeUpdate, { for: duration })));
    });
  action('feedback', 'record the feedback an interviewer or recruiter gave')
    .argument('<text...>', 'the feedback')
    .option('--from <name>', 'who gave it')
    .action(async (id: string, words: string[], options: { from?: string; tenant?: string }) => {
      report(id, await withClient((client) => act(client, targetOf(id, options.tenant), definitions.feedbackUpdate, { text: words.join(' '), from: options.from })));
    });
  action('progress', "record the candidate's job-search progress since the last report")
    .requiredOption('--applications <n>', 'applications sent', count)
    .requiredOption('--interviews <n>', 'interviews had', count)
    .option('--note <text>', 'anything else')
    .action(async (id: string, options: { applications: number; interviews: number; note?: string; tenant?: string }) => {
      const { tenant, ...progress } = options;
      report(id, await withClient((client) => act(client, targetOf(id, tenant), definitions.progressUpdate, progress)));
    });
  action('approve', 'approve (optionally edited) or skip a draft that waits for approval')
    .argument('<step>', 'the step key, e.g. thank-you:1 (see `onward status`)')
    .option('--subject <subject>', 'replace the subject')
    .option('--text <text>', 'replace the body')
    .option('--text-file <file>', 'replace the body with this file')
    .option('--skip', 'do not send this message')
    .action(async (id: string, step: string, options: { subject?: string; text?: string; textFile?: string; skip?: boolean; tenant?: string }) => {
      const text = options.textFile ? readFileSync(options.textFile, 'utf8') : options.text;
      const args = { step, decision: options.skip ? ('skip' as const) : ('approve' as const), subject: options.subject, text };
      report(id, await withClient((client) => act(client, targetOf(id, options.tenant), definitions.approveUpdate, args)));
    });
  action('pause', 'hold every pending step').action(async (id: string, options: { tenant?: string }) => {
    report(id, await withClient((client) => act(client, targetOf(id, options.tenant), definitions.pauseUpdate)));
  });
  action('resume', 'release the pending steps').action(async (id: string, options: { tenant?: string }) => {
    report(id, await withClient((client) => act(client, targetOf(id, options.tenant), definitions.resumeUpdate)));
  });
  for (const [name, update, description] of [
    ['opt-out', definitions.optOutUpdate, 'stop all further contact at once'],
    ['hired', definitions.hiredUpdate, 'the candidate was hired: stop and congratulate'],
    ['cancel', definitions.cancelUpdate, 'stop the sequence'],
  ] as const) {
    action(name, description)
      .option('--reason <text>', 'why, for the record')
      .action(async (id: string, options: { reason?: string; tenant?: string }) => {
        report(id, await withClient((client) => act(client, targetOf(id, options.tenant), update, { reason: options.reason })));
      });
  }

  program
    .command('worker')
    .description('run an Onward worker (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, ONWARD_TASK_QUEUE, SMTP_URL, ONWARD_FROM)')
    .action(async () => {
      // Loaded on demand: the other commands are clients and never load the worker's native runtime.
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- a lazy load, from source and from dist alike
      const { readWorkerConfig, runWorker } = require('../worker') as typeof import('../worker');
      await runWorker(readWorkerConfig());
    });

  program
    .command('dev')
    .description('run Onward on the embedded default: a local Temporal dev server, a worker, a local mailbox and a demo sequence')
    .option('--no-demo', 'do not start the demo sequence')
    .option('--data-dir <dir>', 'where the Temporal database and the mailbox live', '.onward')
    .option('--temporal-port <port>', 'Temporal server port', count, 7233)
    .option('--ui-port <port>', 'Temporal web UI port', count, 8233)
    .option('--smtp-port <port>', 'local mailbox SMTP port', count, 2525)
    .option('--mailbox-port <port>', 'local mailbox web port', count, 8025)
    .option('--api-port <port>', 'HTTP API and dashboard port', count, 8080)
    .action(async (options: Omit<DevOptions, 'dataDir'> & { dataDir: string }) => {
      const { runDev } = loadDevCommand();
      await runDev({ ...options, dataDir: path.resolve(options.dataDir) });
    });

  program.addCommand(codecServerCommand());
  program.addCommand(apiCommand());
  program.addCommand(importCommand());
  program.addCommand(googleCommand());
  program.addCommand(suppressionCommand());
  program.addCommand(tenantsCommand());
  program.addCommand(eraseCommand());

  program
    .command('schema')
    .description("print the rejection document's JSON Schema")
    .action(() => {
      console.log(JSON.stringify(rejectionJsonSchema(), null, 2));
    });

  return program;
}

/** The `onward` command: errors are one clear line and a non-zero exit code, never a stack trace. */
export async function main(argv: string[] = process.argv): Promise<void> {
  try {
    // Secrets given as files (<NAME>_FILE, e.g. Compose secrets) become the variables every command reads.
    Object.assign(process.env, readSecretFiles(process.env));
    await buildProgram().parseAsync(argv);
  } catch (error) {
    console.error(`onward: ${(error as Error).message}`);
    process.exitCode = 1;
  }
}

// Compiled (dist/client/cli.js) and run directly, as in the container image.
if (require.main === module) void main();
