import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';
import type { PolicyOverrides } from '../../workflows/policy';
import { startGoogleFake, writeUserCredentials, type GmailMessage, type GoogleFake } from '../helpers/google-fake';
import { useTimeSkipping, type TimeSkippingHarness } from '../helpers/time-skipping';

export const ADA = { name: 'Ada Lovelace', email: 'ada@example.com', timezone: 'Europe/London', linkedinUrl: 'https://www.linkedin.com/in/ada-lovelace' };
export const GRACE = { name: 'Grace Hopper', email: 'grace@acme.example.com', title: 'Head of Engineering' };
export const ALAN = { name: 'Alan Turing', email: 'alan@acme.example.com', timezone: 'America/New_York' };
export const KATHERINE = {
  name: 'Katherine Johnson',
  email: 'katherine@acme.example.com',
  timezone: 'America/Los_Angeles',
  linkedinUrl: 'https://www.linkedin.com/in/katherine-johnson',
};
export const DOCUMENT = { candidate: ADA, interviewers: [GRACE, ALAN], recruiter: KATHERINE };

/** Ada connected her Google account as "ada" (a refresh token in the credentials directory). */
export const ADA_ACCOUNT = 'ada';
export const ADA_REFRESH_TOKEN = '1//ada-refresh-token';

export const GOOGLE_POLICY: PolicyOverrides = {
  channels: { email: 'gmail', checkIns: 'google-calendar', contactTasks: 'google-tasks' },
  googleAccount: ADA_ACCOUNT,
};

export interface GoogleHarness {
  harness: () => TimeSkippingHarness;
  google: () => GoogleFake;
  credentialsDir: () => string;
}

/** The time-skipping harness, with a local Google fake behind the worker's Google clients (one per test file). */
export function useGoogleHarness(): GoogleHarness {
  let fake: GoogleFake | undefined;
  let directory: string | undefined;
  const harness = useTimeSkipping({
    dependencies: async () => {
      fake = await startGoogleFake();
      directory = mkdtempSync(path.join(tmpdir(), 'onward-google-'));
      writeUserCredentials(directory, ADA_ACCOUNT, ADA_REFRESH_TOKEN);
      fake.addUser(ADA.email, ADA_REFRESH_TOKEN);
      return { google: fake.dependencies(directory) };
    },
  });
  afterAll(async () => {
    await fake?.close();
    if (directory) rmSync(directory, { recursive: true, force: true });
  });
  return {
    harness,
    google: () => {
      if (!fake) throw new Error('the Google fake is not started');
      return fake;
    },
    credentialsDir: () => {
      if (!directory) throw new Error('no credentials directory');
      return directory;
    },
  };
}

/** The Gmail messages of one sequence (its Message-IDs name the sequence), by step. */
export function gmailOf(fake: GoogleFake, messageIdOf: (step: string) => string, steps: string[]): Map<string, GmailMessage> {
  const found = new Map<string, GmailMessage>();
  for (const step of steps) {
    const message = fake.messages.find((candidate) => candidate.messageId === messageIdOf(step) && candidate.labelIds.includes('SENT'));
    if (message) found.set(step, message);
  }
  return found;
}
