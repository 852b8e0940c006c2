import { describe, expect, test } from 'vitest';
import { createSenderDirectory } from '../../activities/sender-identity';
import { verifyUnsubscribeToken } from '../../activities/unsubscribe-token';
import { readyUpdate } from '../../workflows/definitions';
import { eventually } from '../helpers/eventually';
import type { Delivered } from '../helpers/time-skipping';
import { DAY, HOUR, useTimeSkipping } from '../helpers/time-skipping';

const SECRET = 'sender-identity-test-secret-0123456789';
const ACME = { name: 'Maria Schmidt, Acme Careers', signature: 'Career coach\nAcme Careers', replyTo: 'maria@acme-careers.example', logoUrl: 'https://acme-careers.example/logo.png', accentColor: '#b03060' };
const GLOBEX = { name: 'Globex Outplacement', replyTo: 'coaches@globex.example', accentColor: '#1060b0' };

// The worker resolves the sender from the sequence's tenant at send time: nothing of it is in the workflow's input.
const harness = useTimeSkipping({
  dependencies: () => ({
    senders: createSenderDirectory({ acme: ACME, globex: GLOBEX }, { name: 'Onward' }),
    unsubscribe: { publicUrl: 'https://onward.example.com', secret: SECRET },
  }),
});

const html = (mail: Delivered) => (typeof mail.parsed.html === 'string' ? mail.parsed.html : '');
const fromOf = (mail: Delivered) => mail.parsed.from?.value[0];
const replyToOf = (mail: Delivered) => mail.parsed.replyTo?.value[0];
const hrefs = (mail: Delivered) => [...html(mail).matchAll(/href="([^"]*)"/g)].map(([, href]) => (href ?? '').replace(/&amp;/g, '&').replace(/&#x3D;/g, '='));

describe('the sender of the candidate emails is the tenant’s (issue 13 §3)', () => {
  test('two tenants and none: each candidate email carries its own From name, Reply-To, logo, signature and unsubscribe footer', async () => {
    const { advanceTo, advanceUntil, start } = harness();
    // Monday 14:00 in London: the supportive note goes out on Tuesday at 09:00.
    const monday = await advanceTo(1, '14:00', 'Europe/London');
    const acme = await start({ id: 'sender-acme', tenant: 'acme' });
    const noTenant = await start({ id: 'sender-no-tenant', document: { candidate: { name: 'Emmy Noether', email: 'emmy@example.com', timezone: 'Europe/London' } } });
    const globex = await start({ id: 'sender-globex', tenant: 'globex', document: { candidate: { name: 'Mary Somerville', email: 'mary@example.com', timezone: 'Europe/London' } } });
    await advanceUntil(monday + DAY);
    await eventually(() => expect(acme.mail('supportive-note')).toBeDefined());
    await eventually(() => expect(globex.mail('supportive-note')).toBeDefined());
    const fromAcme = acme.mail('supportive-note') as Delivered;
    const fromGlobex = globex.mail('supportive-note') as Delivered;
    await eventually(() => expect(noTenant.mail('supportive-note')).toBeDefined());
    const fromNoTenant = noTenant.mail('supportive-note') as Delivered;

    expect(fromOf(fromAcme)).toEqual({ name: ACME.name, address: 'onward@onward.test' });
    expect(replyToOf(fromAcme)).toEqual({ name: ACME.name, address: ACME.replyTo });
    expect(html(fromAcme)).toContain(`src="${ACME.logoUrl}"`);
    expect(html(fromAcme)).toContain(ACME.accentColor);
    expect(fromAcme.parsed.text).toContain('-- \nMaria Schmidt, Acme Careers\nCareer coach\nAcme Careers');

    expect(fromOf(fromGlobex)).toEqual({ name: GLOBEX.name, address: 'onward@onward.test' });
    expect(replyToOf(fromGlobex)).toEqual({ name: GLOBEX.name, address: GLOBEX.replyTo });
    expect(html(fromGlobex)).not.toContain(ACME.logoUrl);
    expect(html(fromGlobex)).not.toContain('Acme Careers');
    expect(html(fromGlobex)).toContain(GLOBEX.accentColor);

    // A sequence without a tenant (the CLI's) gets the default identity: Onward, no Reply-To.
    expect(fromOf(fromNoTenant)?.name).toBe('Onward');
    expect(fromNoTenant.parsed.replyTo).toBeUndefined();

    // The footer's visible unsubscribe link is the List-Unsubscribe one, signed for this candidate and sequence.
    for (const [mail, sequence, email] of [[fromAcme, acme, 'ada@example.com'], [fromGlobex, globex, 'mary@example.com']] as const) {
      const header = /^List-Unsubscribe: <([^>]*)>/im.exec((mail.raw.split(/\r?\n\r?\n/)[0] ?? '').replace(/\r?\n[ \t]+/g, ' '))?.[1];
      const footer = hrefs(mail).find((href) => href.startsWith('https://onward.example.com/unsubscribe?'));
      expect(footer).toBeDefined();
      expect(footer).toBe(header);
      const token = new URL(footer as string).searchParams.get('token') ?? '';
      expect(verifyUnsubscribeToken(token, SECRET, Date.now())).toMatchObject({ ok: true, email, sequenceId: sequence.workflowId });
      expect(mail.parsed.text).toContain(`Stop these emails: ${footer}`);
    }
  });

  test('messages in the candidate’s name keep her as sender, plain: no agency name, logo, colour or unsubscribe link', async () => {
    const { advanceTo, advanceUntil, start } = harness();
    const monday = await advanceTo(1, '14:00', 'Europe/London');
    const sequence = await start({ id: 'sender-acme-thanks', tenant: 'acme' });
    await advanceUntil(monday + 20 * HOUR);
    await sequence.handle.executeUpdate(readyUpdate);
    await eventually(() => expect(sequence.mail('thank-you:1')).toBeDefined());
    const thanks = sequence.mail('thank-you:1') as Delivered;
    expect(fromOf(thanks)?.name).toBe('Ada Lovelace');
    expect(replyToOf(thanks)).toEqual({ name: 'Ada Lovelace', address: 'ada@example.com' });
    for (const agency of ['Acme Careers', ACME.logoUrl, ACME.accentColor, 'unsubscribe', 'Onward']) expect(html(thanks)).not.toContain(agency);
    expect(thanks.parsed.headers.has('list-unsubscribe')).toBe(false);
    expect(thanks.parsed.text).not.toContain('-- \n');
    expect(html(thanks)).toMatch(/font-family: Arial, Helvetica, sans-serif/);
  });
});
