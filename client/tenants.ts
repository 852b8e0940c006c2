import { Command } from 'commander';
import { clientState } from '../common/database/state';
import { createTenantStore } from './api/tenants';

/** `onward tenants ...`: the API's tenants and their keys (in ONWARD_DATABASE_URL, or the running `onward dev`'s database). */
export function tenantsCommand(): Command {
  const command = new Command('tenants').description("the API's tenants and their API keys (in ONWARD_DATABASE_URL, or the running `onward dev`)");
  const tenants = async () => createTenantStore((await clientState()).database.db);
  const printKey = (name: string, key: string) =>
    console.log(`${name}: API key ${key}\nKeep it now: it is stored only as a digest and is never shown again (\`onward tenants rotate-key ${name}\` replaces it).`);
  command
    .command('add')
    .argument('<name>', '1-64 letters, digits, "_" or "-"')
    .description('add a tenant and print its new API key (once)')
    .action(async (name: string) => printKey(name, await (await tenants()).add(name)));
  command
    .command('list')
    .description('the tenants, when each was added, and the start of its key’s SHA-256 (never the key)')
    .action(async () => {
      const list = await (await tenants()).list();
      if (list.length === 0) console.log('no tenants (add one with `onward tenants add <name>`)');
      for (const tenant of list) console.log(`${tenant.name}\tadded ${tenant.createdAt}\tkey sha256:${tenant.keyFingerprint ?? '(none)'}…`);
    });
  command
    .command('rotate-key')
    .argument('<name>')
    .description('give a tenant a new API key (printed once); the old key is refused from now on')
    .action(async (name: string) => printKey(name, await (await tenants()).rotateKey(name)));
  command
    .command('remove')
    .argument('<name>')
    .description('remove a tenant: its key is refused from now on (its sequences and records stay; see `onward erase`)')
    .action(async (name: string) => {
      await (await tenants()).remove(name);
      console.log(`${name}: removed; its API key is refused from now on`);
    });
  return command;
}
