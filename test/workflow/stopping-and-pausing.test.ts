import { DateTime } from 'luxon';
import { describe, expect, test } from 'vitest';
import { STAGE_ATTRIBUTE, hiredUpdate, optOutUpdate, pauseUpdate, resumeUpdate } from '../../workflows/definitions';
import { eventually } from '../helpers/eventually';
import { DAY, later, localTime, useTimeSkipping } from '../helpers/time-skipping';

const harness = useTimeSkipping();

// Rejected on a Monday at 14:00 in London: supportive note Tuesday 09:00, thank-you notes Wednesday 14:00,
// feedback request Thursday 14:00, check-ins every Wednesday 14:00 from the week after.

describe('hired, opted out, paused', () => {
  test('`hired` mid check-ins: no more check-ins or touchpoints, a congratulation, stage hired', async () => {
    const { advanceTo, advanceUntil, start } = harness();
    const monday = await advanceTo(1, '14:00', 'Europe/London');
    const sequence = await start({ id: 'ts-stop-hired' });

    await advanceUntil(later(monday, { days: 9, hours: 2 }));
    await eventually(() => expect(sequence.mail('check-in:1')).toBeDefined());
    const sentBefore = sequence.mails().map((mail) => mail.step);
    expect(sentBefore).not.toContain('check-in:2');

    expect(await sequence.handle.executeUpdate(hiredUpdate, { args: [{ reason: 'offer from Globex' }] })).toBe('hired');
    expect(await sequence.handle.result()).toMatchObject({ stage: 'hired', failed: 0 });

    const after = sequence.mails().filter((mail) => !sentBefore.includes(mail.step));
    expect(after.map((mail) => mail.step)).toEqual(['congratulations']);
    const congratulations = after[0];
    expect(congratulations?.to).toEqual(['ada@example.com']);
    expect(congratulations?.parsed.subject).toBe('Congratulations, Ada!');
    expect(congratulations?.parsed.text).toContain('Acme Analytics');

    const status = await sequence.status();
    expect(status.stage).toBe('hired');
    expect(status.log.map((line) => line.event)).toContain('hired: offer from Globex');
    for (const key of ['check-in:2', 'check-in:6', 'touchpoint:1', 'touchpoint:2']) {
      const entry = sequence.entry(status, key);
      expect(entry.status, key).toBe('cancelled');
      expect(entry.messageId, key).toBeUndefined();
    }
    expect(status.timeline.filter((entry) => entry.status === 'scheduled' || entry.status === 'awaiting-approval')).toEqual([]);
    expect(sequence.entry(status, 'congratulations').status).toBe('sent');
  });

  test('`optOut`: nothing more is sent at all', async () => {
    const { advanceTo, advanceUntil, start } = harness();
    const monday = await advanceTo(1, '14:00', 'Europe/London');
    const sequence = await start({ id: 'ts-stop-opt-out' });

    await advanceUntil(later(monday, { days: 2, hours: 1 }));
    await eventually(() => expect(sequence.mails()).toHaveLength(3));
    expect(await sequence.handle.executeUpdate(optOutUpdate, { args: [{ reason: 'asked to stop' }] })).toBe('opted-out');
    expect(await sequence.handle.result()).toMatchObject({ stage: 'opted-out', sent: 3 });

    expect(sequence.mails().map((mail) => mail.step).sort()).toEqual(['supportive-note', 'thank-you:1', 'thank-you:2']);
    const status = await sequence.status();
    expect(status.stage).toBe('opted-out');
    const notSent = status.timeline.filter((entry) => entry.status !== 'sent');
    expect(notSent.length).toBeGreaterThan(0);
    for (const entry of notSent) expect([entry.key, entry.status, entry.note]).toEqual([entry.key, 'cancelled', 'sequence opted-out']);
  });

  test('`optOut` while grieving: not even the supportive note goes out', async () => {
    const { advanceTo, start } = harness();
    await advanceTo(1, '14:00', 'Europe/London');
    const sequence = await start({ id: 'ts-stop-opt-out-grieving' });

    expect(await sequence.handle.executeUpdate(optOutUpdate, { args: [{}] })).toBe('opted-out');
    expect(await sequence.handle.result()).toEqual({ stage: 'opted-out', sent: 0, failed: 0, skipped: 0 });
    expect(sequence.mails()).toEqual([]);
    const status = await sequence.status();
    expect(status.stage).toBe('opted-out');
    expect(status.timeline.filter((entry) => entry.status !== 'cancelled')).toEqual([]);
    expect((await sequence.handle.describe()).typedSearchAttributes.get(STAGE_ATTRIBUTE)).toBe('opted-out');
  });

  test('`pause` holds every pending step; `resume` spreads them again, keeping their spacing: no burst', async () => {
    const { advanceTo, advanceUntil, start } = harness();
    const monday = await advanceTo(1, '14:00', 'Europe/London');
    const sequence = await start({ id: 'ts-pause-resume' });

    // Wednesday 13:00, an hour before the thank-you notes: pause.
    await advanceUntil(later(monday, { days: 2, hours: -1 }));
    await eventually(() => expect(sequence.mail('supportive-note')).toBeDefined());
    expect(await sequence.handle.executeUpdate(pauseUpdate)).toBe('paused');

    // A week later (Wednesday 11:00), nothing more went out.
    const resumeAt = later(monday, { days: 9, hours: -3 });
    await advanceUntil(resumeAt);
    const paused = await sequence.status();
    expect(paused.stage).toBe('paused');
    expect(paused.paused).toBe(true);
    expect(sequence.mails().map((mail) => mail.step)).toEqual(['supportive-note']);
    for (const key of ['thank-you:1', 'thank-you:2', 'feedback-request', 'other-openings', 'linkedin-task']) {
      expect(sequence.entry(paused, key).status, key).toBe('scheduled');
      expect(Date.parse(sequence.entry(paused, key).scheduledAt), key).toBeLessThan(resumeAt);
    }

    expect(await sequence.handle.executeUpdate(resumeUpdate)).toBe('following-up');
    // No burst: the pause stopped the sequence's clock. Grieving ended during the pause, so the thank-you notes (due
    // then) go at once; every message after them keeps the spacing it had: nothing else within the next half hour.
    await advanceUntil(later(resumeAt, { minutes: 30 }));
    expect(sequence.mails().map((mail) => mail.step).sort()).toEqual(['supportive-note', 'thank-you:1', 'thank-you:2']);
    const held = (await sequence.status()).timeline.filter((entry) => entry.status === 'scheduled');
    for (const entry of held) expect(Date.parse(entry.scheduledAt), entry.key).toBeGreaterThan(later(resumeAt, { hours: 12 }));

    await advanceUntil(later(resumeAt, { days: 5 }));
    const thankYou = await eventually(() => sequence.mail('thank-you:1') ?? expect.fail('no thank-you yet'));
    expect(thankYou.at - resumeAt).toBeLessThan(60_000);
    const request = await eventually(() => sequence.mail('feedback-request') ?? expect.fail('no feedback request yet'));
    // Planned a day after the thank-you notes, a day after them it goes.
    expect(Math.abs(request.at - thankYou.at - DAY)).toBeLessThan(60_000);
    const openings = await eventually(() => sequence.mail('other-openings') ?? expect.fail('no openings question yet'));
    expect(openings.at - thankYou.at).toBeGreaterThanOrEqual(3 * DAY);
    for (const mail of sequence.mails()) {
      const hour = DateTime.fromMillis(mail.at, { zone: 'Europe/London' }).hour;
      expect(hour >= 9 && hour < 17, `${mail.step} ${localTime(mail.at)}`).toBe(true);
    }
    const resumed = await sequence.status();
    expect(resumed.paused).toBe(false);
    expect(resumed.log.map((line) => line.event)).toEqual(expect.arrayContaining(['paused', 'resumed']));
    // The check-in of that Wednesday afternoon moved on with the rest.
    expect(sequence.entry(resumed, 'check-in:1').status).toBe('scheduled');
    expect(Date.parse(sequence.entry(resumed, 'check-in:1').scheduledAt)).toBeGreaterThan(later(resumeAt, { days: 6 }));
  });
});
