import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { DEFAULT_LAYOUT_PATH, layoutPathFor, loadEmailLayout } from '../../activities/email-layout';
import { DEFAULT_TEMPLATES_DIR } from '../../activities/templates';
import { generateCodecKey } from '../../common/codec';
import { runCli } from '../helpers/cli';

const scratch = mkdtempSync(path.join(os.tmpdir(), 'onward-layout-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const shipped = readFileSync(DEFAULT_LAYOUT_PATH, 'utf8');
const BODY = { subject: 'Week 1 of 6', text: 'Hi Ada,\n\nOne step this week.\n', html: '<p>Hi Ada,</p><p>One step this week.</p>' };

function layoutFile(name: string, content: string): string {
  const file = path.join(scratch, name);
  writeFileSync(file, content);
  return file;
}

describe('the email layout (MJML, compiled once at worker start)', () => {
  test('the candidate’s email: body, sender header and signature, action buttons and the unsubscribe link, escaped', async () => {
    const layout = await loadEmailLayout();
    const sender = { name: 'Sam <Coach> & Co', signature: 'Career coach\nAcme', accentColor: '#b03060' };
    const email = layout.candidateEmail(BODY, { sender, unsubscribeUrl: 'https://onward.example.com/unsubscribe?token=u2.abc', actions: [{ label: 'I’m ready', url: 'https://onward.example.com/a/ready' }] });
    expect(email.subject).toBe(BODY.subject);
    expect(email.html).toContain(BODY.html);
    expect(email.html).toContain('Sam &lt;Coach&gt; &amp; Co');
    expect(email.html).not.toContain('<Coach>');
    expect(email.html).toContain('Career coach<br>Acme');
    expect(email.html).toContain('href="https://onward.example.com/a/ready"');
    expect(email.html).toMatch(/href="https:\/\/onward\.example\.com\/unsubscribe\?token&#x3D;u2\.abc">Stop these emails<\/a>/);
    expect(email.html).toContain('background:#b03060');
    expect(email.html).toMatch(/@media only screen and \(min-width:480px\)/); // MJML's responsive columns
    expect(email.html).not.toMatch(/\{\{|\}\}|fonts\.googleapis/);
    expect(email.text).toBe(
      'Hi Ada,\n\nOne step this week.\n\n-- \nSam <Coach> & Co\nCareer coach\nAcme\n\nI’m ready: https://onward.example.com/a/ready\nStop these emails: https://onward.example.com/unsubscribe?token=u2.abc\n',
    );
  });

  test('the footer speaks the candidate’s language', async () => {
    const layout = await loadEmailLayout();
    const frame = { sender: { name: 'Acme' }, unsubscribeUrl: 'https://onward.example.com/unsubscribe?token=u2.abc' };
    expect(layout.candidateEmail(BODY, { ...frame, locale: 'de' }).html).toContain('>Keine E-Mails mehr</a>');
    expect(layout.candidateEmail(BODY, { ...frame, locale: 'fr' }).text).toContain('Ne plus recevoir ces e-mails: https://onward.example.com/unsubscribe');
    expect(layout.candidateEmail(BODY, frame).html).toContain('>Stop these emails</a>');
  });

  test('without unsubscribe links configured, the footer shows none; with a logo, the header shows it', async () => {
    const layout = await loadEmailLayout();
    const email = layout.candidateEmail(BODY, { sender: { name: 'Acme', logoUrl: 'https://acme.example/logo.png' } });
    expect(email.html).not.toMatch(/unsubscribe/i);
    expect(email.text).not.toMatch(/unsubscribe/i);
    expect(email.html).toMatch(/<img\s[^>]*src="https:\/\/acme\.example\/logo\.png"/);
  });

  test('a message in the candidate’s name stays hers: a plain frame, no agency, same text', async () => {
    const layout = await loadEmailLayout();
    const email = layout.personalEmail(BODY);
    expect(email.text).toBe(BODY.text);
    expect(email.html).toContain(BODY.html);
    expect(email.html).not.toMatch(/<img|<table|unsubscribe|Onward/i);
  });

  test.each([
    ['an unknown MJML element', shipped.replace('<mj-column>', '<mj-colum>'), /email layout .*broken\.mjml: line \d+: Element mj-colum doesn't exist/],
    ['a bad MJML attribute', shipped.replace('width="160px"', 'width="wide"'), /email layout .*broken\.mjml: line \d+: Attribute width has invalid value: wide/],
    ['a Handlebars block left open', shipped.replace('<mj-raw>{{/if}}</mj-raw>', ''), /email layout .*broken\.mjml: Parse error/],
  ])('refuses a layout with %s, naming the file and the line, as the worker does at start', async (_case, source, message) => {
    await expect(loadEmailLayout(layoutFile('broken.mjml', source))).rejects.toThrow(message);
  });

  test('refuses a missing layout file, naming it', async () => {
    await expect(loadEmailLayout(path.join(scratch, 'none.mjml'))).rejects.toThrow(/email layout .*none\.mjml does not exist or cannot be read/);
  });

  test('a templates directory with its own layout.mjml uses it; otherwise the shipped one', () => {
    expect(layoutPathFor(undefined)).toBe(DEFAULT_LAYOUT_PATH);
    expect(layoutPathFor(path.join(scratch, 'no-such-dir'))).toBe(DEFAULT_LAYOUT_PATH);
    const own = layoutFile('layout.mjml', shipped);
    expect(layoutPathFor(scratch)).toBe(own);
  });
});

// A bad senders file is refused by readWorkerConfig, which `onward worker` calls first: test/unit/sender-identity.test.ts.
describe('`onward worker` refuses to start on a bad layout, before it connects to anything', () => {
  // Nothing listens on port 1: a worker that got as far as connecting would say so instead.
  const environment = (extra: Record<string, string>) => ({
    TEMPORAL_ADDRESS: '127.0.0.1:1',
    SMTP_URL: 'smtp://127.0.0.1:1',
    ONWARD_FROM: 'onward@example.com',
    ONWARD_CODEC_KEYS: `k1:${generateCodecKey()}`,
    ...extra,
  });

  test('a layout that does not compile: exit code 1, the file and the problem named', async () => {
    const templates = path.join(scratch, 'templates');
    cpSync(DEFAULT_TEMPLATES_DIR, templates, { recursive: true });
    writeFileSync(path.join(templates, 'layout.mjml'), shipped.replace('<mj-column>', '<mj-colum>'));
    const result = await runCli(['worker'], environment({ ONWARD_TEMPLATES_DIR: templates }));
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/email layout .*layout\.mjml: line \d+: Element mj-colum doesn't exist/);
    expect(result.stderr + result.stdout).not.toMatch(/connect|Onward worker on/i);
  }, 90_000);
});
