#!/usr/bin/env node
// Prints the test files a vitest JSON report (--reporter=json) marks failed, one per line; exits 1 without a report.
'use strict';
const { readFileSync } = require('node:fs');

const report = JSON.parse(readFileSync(process.argv[2], 'utf8'));
for (const file of report.testResults) if (file.status === 'failed') console.log(file.name);
