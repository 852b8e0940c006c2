import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from './processes';

/** Debian's dovecot-imapd, installed by scripts/setup.js. */
export const DOVECOT = '/usr/sbin/dovecot';

export interface TestImapServer {
  host: string;
  port: number;
  user: string;
  password: string;
  /** imap://user:password@host:port/INBOX, as ONWARD_IMAP_URL takes it. */
  url: string;
  /** Dovecot's own log, e.g. to see the logins. */
  log(): string;
  close(): Promise<void>;
}

const NOBODY = 65_534;

/**
 * A real IMAP server for the test: dovecot 2.3 with its own configuration, plaintext logins on a free port of
 * 127.0.0.1, one user in a passwd-file, and maildirs in a temporary directory. As root (CI here), the mail processes
 * run as nobody, since dovecot refuses to handle mail as root.
 */
export async function startDovecot(options: { user?: string; password?: string; port?: number; oauth2IntrospectionUrl?: string } = {}): Promise<TestImapServer> {
  const user = options.user ?? 'replies@agency.test';
  const password = options.password ?? 'imap-test-password';
  const directory = mkdtempSync(path.join(tmpdir(), 'onward-dovecot-'));
  chmodSync(directory, 0o755);
  const mail = path.join(directory, 'mail');
  mkdirSync(mail);
  const root = userInfo().uid === 0;
  const [uid, gid] = root ? [NOBODY, NOBODY] : [userInfo().uid, userInfo().gid];
  if (root) chownSync(mail, uid, gid);
  const port = options.port ?? (await freePort());
  writeFileSync(path.join(directory, 'passwd'), `${user}:{PLAIN}${password}::::::\n`);
  // XOAUTH2 logins (docs/replies.md): dovecot asks the test's identity provider whether each token is active, and whose.
  const oauth2 = options.oauth2IntrospectionUrl;
  if (oauth2) {
    writeFileSync(
      path.join(directory, 'oauth2.conf.ext'),
      [`introspection_url = ${oauth2}`, 'introspection_mode = post', 'force_introspection = yes', 'username_attribute = username', 'active_attribute = active', 'active_value = true', ''].join('\n'),
    );
  }
  const config = path.join(directory, 'dovecot.conf');
  writeFileSync(
    config,
    [
      'protocols = imap',
      'listen = 127.0.0.1',
      `base_dir = ${directory}/run`,
      `state_dir = ${directory}/state`,
      `log_path = ${directory}/dovecot.log`,
      `instance_name = onward-test-${port}`,
      'ssl = no',
      'disable_plaintext_auth = no',
      `auth_mechanisms = plain login${oauth2 ? ' xoauth2' : ''}`,
      'auth_failure_delay = 0',
      ...(root ? [] : [`default_internal_user = ${userInfo().username}`, `default_login_user = ${userInfo().username}`]),
      `mail_location = maildir:${mail}/%u`,
      `passdb {\n  driver = passwd-file\n  args = scheme=PLAIN username_format=%u ${directory}/passwd\n}`,
      ...(oauth2 ? [`passdb {\n  driver = oauth2\n  mechanisms = xoauth2\n  args = ${directory}/oauth2.conf.ext\n}`] : []),
      `userdb {\n  driver = static\n  args = uid=${uid} gid=${gid} home=${mail}/%u\n}`,
      `service imap-login {\n  inet_listener imap {\n    address = 127.0.0.1\n    port = ${port}\n  }\n  inet_listener imaps {\n    port = 0\n  }\n}`,
      'service stats {\n  unix_listener stats-reader {\n    mode = 0666\n  }\n  unix_listener stats-writer {\n    mode = 0666\n  }\n}',
      '',
    ].join('\n'),
  );
  const child: ChildProcess = spawn(DOVECOT, ['-F', '-c', config], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const log = () => (existsSync(path.join(directory, 'dovecot.log')) ? readFileSync(path.join(directory, 'dovecot.log'), 'utf8') : '') + output;
  await waitForPort(port, child, log);
  return {
    host: '127.0.0.1',
    port,
    user,
    password,
    url: `imap://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${port}/INBOX`,
    log,
    async close() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

async function waitForPort(port: number, child: ChildProcess, log: () => string): Promise<void> {
  const { connect } = await import('node:net');
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`dovecot exited (${child.exitCode}): ${log()}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.destroy();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`dovecot did not listen on ${port}: ${log()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
