import { DateTime } from 'luxon';
import { describe, expect, test } from 'vitest';
import { eventIdFor, taskMarker } from '../../activities/google';
import { previewSequence } from '../../workflows/schedule';
import { ADA, DOCUMENT, GOOGLE_POLICY, GRACE, ALAN, KATHERINE, gmailOf, useGoogleHarness } from './support';

const { harness, google } = useGoogleHarness();

const GMAIL_STEPS = ['thank-you:1', 'thank-you:2', 'feedback-request', 'feedback-reminder', 'other-openings'];
const TO: Record<string, string> = {
  'thank-you:1': GRACE.email,
  'thank-you:2': ALAN.email,
  'feedback-request': GRACE.email,
  'feedback-reminder': GRACE.email,
  'other-openings': KATHERINE.email,
};

describe('the full sequence with gmail + google-calendar + google-tasks, under time skipping', () => {
  test('messages for the candidate go from her Gmail and thread; check-ins in her calendar; LinkedIn and touchpoints as tasks', async () => {
    const { advanceTo, start } = harness();
    const fake = google();
    // The third check-in event is refused once with 429: the activity is retried, and the first two answer 409.
    fake.fault({ method: 'POST', path: /^calendar\/v3\/calendars\/primary\/events$/, status: 429, after: 2 });
    await advanceTo(1, '14:00', 'Europe/London');
    const sequence = await start({ id: 'g-full-1', document: DOCUMENT, policy: GOOGLE_POLICY });
    const planned = new Map(previewSequence(sequence.input.rejection, sequence.input.policy).map((entry) => [entry.key, entry.at]));

    const outcome = await sequence.handle.result();
    expect(outcome).toEqual({ stage: 'completed', sent: 16, failed: 0, skipped: 0 });
    expect(fake.problems).toEqual([]);

    // Onward's own messages to the candidate stay on the deployment's mailer; nothing to others goes by SMTP.
    expect(sequence.mails().map((mail) => mail.step).sort()).toEqual(['supportive-note', ...[1, 2, 3, 4, 5, 6].map((week) => `check-in:${week}`), 'closing-summary'].sort());
    for (const mail of sequence.mails()) expect(mail.to).toEqual([ADA.email]);

    // Gmail: one message per step, from Ada's mailbox, with the deterministic Message-ID, to the right person.
    const gmail = gmailOf(fake, sequence.messageIdOf, GMAIL_STEPS);
    expect([...gmail.keys()].sort()).toEqual([...GMAIL_STEPS].sort());
    expect(fake.sent(ADA.email)).toHaveLength(GMAIL_STEPS.length);
    for (const [step, message] of gmail) {
      expect(message.parsed?.from?.value[0], step).toEqual({ name: 'Ada Lovelace', address: ADA.email });
      expect(message.parsed?.to && !Array.isArray(message.parsed.to) ? message.parsed.to.value.map((address) => address.address) : [], step).toEqual([TO[step]]);
      expect(message.parsed?.replyTo, step).toBeUndefined();
      expect(message.step, step).toBe(step);
      expect(message.parsed?.text, step).toContain('Ada Lovelace');
      expect(message.parsed?.html, step).toBeTruthy();
    }
    // The reminder is a follow-up in the request's thread: threadId and the threading headers.
    const request = gmail.get('feedback-request');
    const reminder = gmail.get('feedback-reminder');
    expect(reminder?.requestedThreadId).toBe(request?.threadId);
    expect(reminder?.threadId).toBe(request?.threadId);
    expect(reminder?.inReplyTo).toBe(request?.messageId);
    expect(reminder?.references).toContain(request?.messageId);
    expect(reminder?.subject).toBe(`Re: ${request?.subject ?? ''}`);
    for (const step of GMAIL_STEPS.filter((step) => step !== 'feedback-reminder')) expect(gmail.get(step)?.requestedThreadId, step).toBeUndefined();

    const status = await sequence.status();
    expect(status.timeline).toHaveLength(16);
    for (const step of GMAIL_STEPS) {
      const entry = sequence.entry(status, step);
      expect(entry.status, step).toBe('sent');
      expect(entry.messageId, step).toBe(sequence.messageIdOf(step));
      expect(entry.threadId, step).toBe(gmail.get(step)?.threadId);
    }

    // Google Calendar: the six check-ins, created as step 4 began, in Ada's zone, 30 minutes, with a reminder.
    const events = fake.events.filter((event) => event.user === ADA.email);
    expect(events).toHaveLength(6);
    for (let week = 1; week <= 6; week++) {
      const key = `check-in:${week}`;
      const event = events.find((candidate) => candidate.id === eventIdFor(sequence.workflowId, key));
      expect(event, key).toBeDefined();
      expect(event?.status).toBe('confirmed');
      expect(event?.timeZone).toBe('Europe/London');
      // At the check-in's own time, to the second the Calendar API takes: planned from when grieving actually ended,
      // which under time skipping can be a workflow task's length after the preview's instant.
      const scheduled = Date.parse(sequence.entry(status, key).scheduledAt);
      expect(event?.start.toMillis(), key).toBe(Math.floor(scheduled / 1000) * 1000);
      expect(scheduled - (planned.get(key) ?? 0), key).toBeLessThan(5_000);
      expect(event?.end.diff(event.start, 'minutes').minutes).toBe(30);
      expect(event?.body.summary).toMatch(new RegExp(`^Week ${week} of 6: \\w`));
      expect(event?.body.reminders).toEqual({ useDefault: false, overrides: [{ method: 'popup', minutes: 10 }] });
      expect(String(event?.body.description)).toContain('Hi Ada,');
      // Wall-clock time in the candidate's zone, as the Calendar API takes it with timeZone beside it.
      expect((event?.body.start as { dateTime: string }).dateTime).toBe(DateTime.fromMillis(event?.start.toMillis() ?? 0, { zone: 'Europe/London' }).toFormat("yyyy-LL-dd'T'HH:mm:ss"));
    }
    const calendarInserts = fake.requests.filter((request) => request.method === 'POST' && request.path.startsWith('calendar/'));
    expect(calendarInserts.map((request) => request.status)).toEqual([200, 200, 429, 409, 409, 200, 200, 200, 200]);
    // The check-in emails still bring each week's content.
    expect(sequence.mail('check-in:1')?.parsed.text).toContain('This week, send one application you have tailored to the job');

    // Google Tasks: "Connect with Katherine on LinkedIn" (her profile, a suggested note, a due date), and the touchpoints.
    const tasks = fake.tasks.filter((task) => task.user === ADA.email);
    expect(tasks.map((task) => task.title)).toEqual([
      'Connect with Katherine Johnson on LinkedIn',
      'Get in touch with Katherine Johnson at Acme Analytics (touchpoint 1)',
      'Get in touch with Katherine Johnson at Acme Analytics (touchpoint 2)',
    ]);
    const [linkedIn, touchpoint] = tasks;
    expect(linkedIn?.notes).toContain(KATHERINE.linkedinUrl);
    expect(linkedIn?.notes).toContain('Hi Katherine, thank you for your time during the Senior Data Engineer process at Acme Analytics');
    expect(linkedIn?.notes).toContain(taskMarker(sequence.workflowId, 'linkedin-task'));
    expect(touchpoint?.notes).toContain(`A note to send to Katherine Johnson <${KATHERINE.email}>`);
    expect(touchpoint?.notes).toContain('Subject: Keeping in touch');
    expect(touchpoint?.notes).toContain(taskMarker(sequence.workflowId, 'touchpoint:1'));
    const linkedInEntry = sequence.entry(status, 'linkedin-task');
    expect(linkedInEntry.status).toBe('sent');
    expect(linkedInEntry.taskId).toBe(linkedIn?.id);
    expect(linkedInEntry.messageId).toBeUndefined();
    expect(linkedIn?.due).toBe(`${DateTime.fromISO(linkedInEntry.sentAt ?? '', { zone: 'Europe/London' }).toISODate() ?? ''}T00:00:00.000Z`);
    // Each task was looked for (by its marker) before it was inserted.
    const taskCalls = fake.requests.filter((request) => request.path.startsWith('tasks/')).map((request) => request.method);
    expect(taskCalls).toEqual(['GET', 'POST', 'GET', 'POST', 'GET', 'POST']);

    expect(status.log.map((line) => line.event)).toContain("check-ins: 6 events in the candidate's Google Calendar");
    // The history stays small: Gmail and Tasks replace sends rather than add to them; the calendar adds one activity
    // (and its workflow task) to the default sequence's 170-195 events (it varies with how events share workflow tasks;
    // the candidate's emails are regular activities, and each patch leaves one marker: issue 10's, issue 13's
    // 'tpl-recipient-facts' and 'wf-email-replies'); 211 seen. The outcomes ledger adds one marker per write (a local
    // activity at each transition, about 20) and its patch marker: 231 seen. The list memo (wf-visibility-memo) adds an
    // upsert of the memo, and of the next-step time when it changed, at each transition that changes them: 269 seen.
    const history = await sequence.handle.fetchHistory();
    expect(history.events?.length ?? 0).toBeLessThanOrEqual(195 + 20 + 25 + 45);
  });
});
