/**
 * `npm run gallery`: every step's email, sent through the email activity to a real SMTP server in this process, parsed
 * with mailparser and rendered in headless Chromium at phone and desktop width, into docs/emails/ with an index.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { GALLERY_SENDER, GALLERY_WIDTHS, launchChromium, openEmail, sendGalleryEmails } from '../test/helpers/email-gallery';

const OUT = path.resolve(__dirname, '..', 'docs', 'emails');

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const emails = await sendGalleryEmails();
  const browser = await launchChromium();
  const rows: string[] = [];
  try {
    for (const { kind, toCandidate, mail } of emails) {
      const html = typeof mail.parsed.html === 'string' ? mail.parsed.html : '';
      const shots = [];
      for (const width of GALLERY_WIDTHS) {
        const page = await openEmail(browser, html, width);
        const file = `${kind}-${width}.png`;
        await page.screenshot({ path: path.join(OUT, file), fullPage: true });
        await page.close();
        shots.push(`[${width} px](${file})`);
      }
      const from = mail.parsed.from?.value[0]?.name ?? '';
      const to = mail.parsed.to && !Array.isArray(mail.parsed.to) ? mail.parsed.to.value[0]?.name ?? '' : '';
      rows.push(`| ${kind} | ${from} → ${to}${toCandidate ? '' : ' (in the candidate’s name)'} | ${mail.parsed.subject ?? ''} | ${shots.join(' · ')} |`);
      console.log(`${kind}: ${GALLERY_WIDTHS.map((width) => `${kind}-${width}.png`).join(', ')}`);
    }
  } finally {
    await browser.close();
  }
  writeFileSync(
    path.join(OUT, 'README.md'),
    [
      '# What the emails look like',
      '',
      'Every step’s email as the worker sends it, rendered in headless Chromium at 375 px (a phone) and 800 px (a desktop',
      `client). The candidate’s emails come from the tenant’s sender (here “${GALLERY_SENDER.name}”, with a logo, a`,
      'signature and an accent colour: see [senders.md](../senders.md)) and end with the unsubscribe link; the messages in',
      'the candidate’s name stay plain, as a person’s own email looks.',
      '',
      'Regenerate with `npm run gallery` (scripts/gallery.ts) after changing a template or the layout (templates/layout.mjml).',
      '',
      '| step | from → to | subject | screenshots |',
      '|---|---|---|---|',
      ...rows,
      '',
    ].join('\n'),
  );
  console.log(`${emails.length} emails, ${emails.length * GALLERY_WIDTHS.length} screenshots in ${path.relative(process.cwd(), OUT)}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
