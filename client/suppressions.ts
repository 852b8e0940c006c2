import { Command } from 'commander';
import { createFileSuppressionList, suppressionFileFrom } from '../activities/suppression';

/** `onward suppression ...`: the addresses no sequence contacts (ONWARD_SUPPRESSION_FILE, shared with the workers). */
export function suppressionCommand(): Command {
  const command = new Command('suppression').description('the suppression list: addresses that opted out (ONWARD_SUPPRESSION_FILE)');
  const list = () => createFileSuppressionList(suppressionFileFrom());
  command
    .command('check')
    .argument('<email>')
    .description('say whether an address is suppressed')
    .action(async (email: string) => {
      console.log(`${email}: ${(await list().isSuppressed(email)) ? 'suppressed' : 'not suppressed'}`);
    });
  command
    .command('add')
    .argument('<email>')
    .option('--reason <text>', 'why, for the record', 'added by hand')
    .description('never contact this address again, from any sequence')
    .action(async (email: string, options: { reason: string }) => {
      await list().suppress(email, options.reason);
      console.log(`${email}: suppressed`);
    });
  command
    .command('remove')
    .argument('<email>')
    .description('allow this address again (only when its owner asks)')
    .action(async (email: string) => {
      await list().remove(email);
      console.log(`${email}: not suppressed`);
    });
  return command;
}
