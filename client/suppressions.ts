import { Command } from 'commander';
import { clientState } from '../common/database/state';

/** `onward suppression ...`: the addresses no sequence contacts (in the database the workers share, ONWARD_DATABASE_URL). */
export function suppressionCommand(): Command {
  const command = new Command('suppression').description('the suppression list: addresses that opted out (in ONWARD_DATABASE_URL, or the running `onward dev`)');
  const list = async () => (await clientState()).suppressions;
  command
    .command('check')
    .argument('<email>')
    .description('say whether an address is suppressed')
    .action(async (email: string) => {
      console.log(`${email}: ${(await (await list()).isSuppressed(email)) ? 'suppressed' : 'not suppressed'}`);
    });
  command
    .command('add')
    .argument('<email>')
    .option('--reason <text>', 'why, for the record', 'added by hand')
    .description('never contact this address again, from any sequence')
    .action(async (email: string, options: { reason: string }) => {
      await (await list()).suppress(email, options.reason);
      console.log(`${email}: suppressed`);
    });
  command
    .command('remove')
    .argument('<email>')
    .description('allow this address again (only when its owner asks)')
    .action(async (email: string) => {
      await (await list()).remove(email);
      console.log(`${email}: not suppressed`);
    });
  return command;
}
