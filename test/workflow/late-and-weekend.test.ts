import { DateTime } from 'luxon';
import { describe, expect, test } from 'vitest';
import { eventually } from '../helpers/eventually';
import { DAY, HOUR, localTime, useTimeSkipping } from '../helpers/time-skipping';

const harness = useTimeSkipping();
const LONDON = 'Europe/London';

describe('rejections entered late (CSV import, an ATS catching up)', () => {
  test('six days old: no supportive note, nothing says "in a couple of days", the thank-you notes go now', async () => {
    const { advanceTo, advanceUntil, start } = harness();
    const monday = await advanceTo(1, '10:00', LONDON);
    const sequence = await start({ id: 'ts-late-six-days', rejectedAt: monday - 6 * DAY });

    const status = await sequence.status();
    expect(status.timeline.map((entry) => entry.key)).not.toContain('supportive-note');
    await advanceUntil(monday + 5 * 60_000);
    await eventually(() => expect(sequence.mails().filter((mail) => mail.step.startsWith('thank-you:'))).toHaveLength(2));
    for (const mail of sequence.mails()) expect(mail.at - monday, localTime(mail.at)).toBeLessThan(60_000);
    expect(sequence.mails().map((mail) => mail.step).sort()).toEqual(['thank-you:1', 'thank-you:2']);
    expect(sequence.mails().some((mail) => /couple of days/i.test(mail.parsed.text ?? ''))).toBe(false);
    // Grieving is counted from the rejection: it was over before the sequence started.
    expect(Date.parse((await sequence.status()).grievingEndsAt)).toBe(monday - 4 * DAY);
  });

  test('a day old: the supportive note goes now, and says when the grieving time really ends', async () => {
    const { advanceTo, advanceUntil, start } = harness();
    const monday = await advanceTo(1, '10:00', LONDON);
    const rejectedAt = monday - 26 * HOUR; // Sunday 08:00: grieving ends on Tuesday at 08:00
    const sequence = await start({ id: 'ts-late-one-day', rejectedAt });

    await advanceUntil(monday + 5 * 60_000);
    const note = await eventually(() => {
      const found = sequence.mail('supportive-note');
      if (!found) throw new Error('no supportive note yet');
      return found;
    });
    expect(note.at - monday, localTime(note.at)).toBeLessThan(60_000);
    const endsOn = DateTime.fromMillis(rejectedAt + 2 * DAY, { zone: LONDON }).setLocale('en-GB').toFormat('cccc d LLLL');
    expect(endsOn).toMatch(/^Tuesday /);
    expect(note.parsed.text).toContain(`Nothing else happens until ${endsOn}. After that, your thank-you notes go to the interviewers`);
    expect(note.parsed.text).not.toMatch(/couple of days/i);
    expect(sequence.mails().map((mail) => mail.step)).toEqual(['supportive-note']);
  });
});

describe("the candidate's own send window", () => {
  test('a Friday-afternoon rejection keeps its supportive note: Saturday 09:00 for her, Monday 09:00 for the interviewers', async () => {
    const { advanceTo, advanceUntil, start } = harness();
    const friday = await advanceTo(5, '15:30', LONDON);
    const sequence = await start({ id: 'ts-friday-rejection' });
    const saturdayMorning = friday + 17.5 * HOUR;
    const mondayMorning = friday + 2 * DAY + 17.5 * HOUR;

    const planned = await sequence.status();
    expect(Date.parse(sequence.entry(planned, 'supportive-note').scheduledAt)).toBe(saturdayMorning);
    expect(Date.parse(sequence.entry(planned, 'thank-you:1').scheduledAt)).toBe(mondayMorning);

    await advanceUntil(saturdayMorning + 60_000);
    const note = await eventually(() => {
      const found = sequence.mail('supportive-note');
      if (!found) throw new Error('no supportive note yet');
      return found;
    });
    expect(localTime(note.at)).toMatch(/^Sat \S+ 09:00/);
    expect(sequence.entry(await sequence.status(), 'supportive-note').status).toBe('sent');
  });
});
