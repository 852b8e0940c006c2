import type { Client } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import { z } from 'zod';
import * as definitions from '../../workflows/definitions';
import type { Stage } from '../../workflows/status';
import { MAX_COUNT, MAX_FROM, MAX_REASON, MAX_SUBJECT, MAX_TEXT } from '../../workflows/updates';
import { act } from '../actions';
import type { SequenceTarget } from '../sequences';
import { parseOr400 } from './validation';

/**
 * One HTTP action per CLI action (`onward ready ID` is `POST /sequences/ID/ready`). Each entry only turns a
 * JSON body into the update's arguments; the action itself is the one the CLI runs: `act()` in
 * client/actions.ts, which the workflow validates and applies or refuses with its reason.
 */
interface HttpAction<Body extends z.ZodType, Args extends unknown[]> {
  update: UpdateDefinition<Stage, Args>;
  body: Body;
  args(body: z.output<Body>): Args;
  summary: string;
}

/** A validated action, ready to run on one sequence. */
export type PreparedAction = (client: Client, sequence: SequenceTarget) => Promise<Stage>;

const action = <Body extends z.ZodType, Args extends unknown[]>(definition: HttpAction<Body, Args>) => ({
  ...definition,
  /** Validates the body (400 naming each bad field) and returns the action to run. */
  prepare(body: unknown): PreparedAction {
    const args = definition.args(parseOr400(definition.body, body ?? {}));
    return (client, sequence) => act(client, sequence, definition.update, ...args);
  },
});

// The bodies give the shape (fields and types, for the OpenAPI document); the values are checked by the update's own
// validator (workflows/updates.ts), the one the CLI and the workflow run, so the limits and the messages are the same.
const empty = z.strictObject({});
const text = (max: number) => z.string().describe(`At most ${max} characters.`);
const count = z.number().describe(`A whole number from 0 to ${MAX_COUNT}.`);
const stopBody = z.strictObject({ reason: text(MAX_REASON).optional().describe('Why, for the record (kept in the log).') });

export const HTTP_ACTIONS = {
  ready: action({ update: definitions.readyUpdate, body: empty, args: (): [] => [], summary: 'End the grieving period now.' }),
  snooze: action({
    update: definitions.snoozeUpdate,
    body: z.strictObject({ for: z.string().describe('A duration such as "2 days".') }),
    args: (body): [definitions.SnoozeArgs] => [{ for: body.for }],
    summary: 'Extend the grieving period.',
  }),
  feedback: action({
    update: definitions.feedbackUpdate,
    body: z.strictObject({ text: text(MAX_TEXT).describe('The feedback, as given.'), from: text(MAX_FROM).optional().describe('Who gave it.') }),
    args: (body): [definitions.FeedbackArgs] => [{ text: body.text, from: body.from }],
    summary: 'Record the feedback an interviewer or recruiter gave.',
  }),
  progress: action({
    update: definitions.progressUpdate,
    body: z.strictObject({
      applications: count.describe('Applications sent since the last report.'),
      interviews: count.describe('Interviews had since the last report.'),
      note: text(MAX_TEXT).optional(),
    }),
    args: (body): [definitions.ProgressArgs] => [{ applications: body.applications, interviews: body.interviews, note: body.note }],
    summary: "Record the candidate's job-search progress since the last report.",
  }),
  approve: action({
    update: definitions.approveUpdate,
    body: z.strictObject({
      step: z.string().describe('The step key of the waiting draft, e.g. "thank-you:1".'),
      decision: z.enum(['approve', 'skip']).default('approve'),
      subject: text(MAX_SUBJECT).optional().describe('Replaces the subject.'),
      text: text(MAX_TEXT).optional().describe('Replaces the plain-text body.'),
    }),
    args: (body): [definitions.ApproveArgs] => [{ step: body.step, decision: body.decision, subject: body.subject, text: body.text }],
    summary: 'Approve (optionally edited) or skip a draft that waits for approval.',
  }),
  pause: action({ update: definitions.pauseUpdate, body: empty, args: (): [] => [], summary: 'Hold every pending step.' }),
  resume: action({ update: definitions.resumeUpdate, body: empty, args: (): [] => [], summary: 'Release the pending steps.' }),
  'opt-out': action({ update: definitions.optOutUpdate, body: stopBody, args: (body): [definitions.StopArgs] => [{ reason: body.reason }], summary: 'Stop all further contact at once.' }),
  hired: action({ update: definitions.hiredUpdate, body: stopBody, args: (body): [definitions.StopArgs] => [{ reason: body.reason }], summary: 'The candidate was hired: stop and congratulate.' }),
  cancel: action({ update: definitions.cancelUpdate, body: stopBody, args: (body): [definitions.StopArgs] => [{ reason: body.reason }], summary: 'Stop the sequence.' }),
} as const;

export type ActionName = keyof typeof HTTP_ACTIONS;
export const ACTION_NAMES = Object.keys(HTTP_ACTIONS) as ActionName[];

export function isActionName(name: string): name is ActionName {
  return Object.hasOwn(HTTP_ACTIONS, name);
}
