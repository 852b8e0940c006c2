#!/usr/bin/env node
// Runs the TypeScript CLI from source through tsx, so `npx onward` works in a fresh clone without a build step.
// (The container image runs the compiled dist/client/cli.js instead.)
'use strict';
require('tsx/cjs');
void require('../client/cli.ts').main();
