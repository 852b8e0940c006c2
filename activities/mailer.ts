import nodemailer from 'nodemailer';
import type { SendMailOptions } from 'nodemailer';

/** What a delivery channel reports: which addresses the server took and which it refused. */
export interface DeliveryReport {
  accepted: string[];
  rejected: string[];
  response: string;
}

/** A way to deliver one composed email; SMTP here, other providers behind the same shape. */
export interface Mailer {
  send(mail: SendMailOptions): Promise<DeliveryReport>;
  close(): void;
}

const addressOf = (entry: string | { address: string }) => (typeof entry === 'string' ? entry : entry.address);

/** A pooled SMTP mailer: connections are reused across sends, as a worker sends many. */
export function createSmtpMailer(smtpUrl: string, options: { maxConnections?: number } = {}): Mailer {
  const transport = nodemailer.createTransport({
    url: smtpUrl,
    pool: true,
    maxConnections: options.maxConnections ?? 5,
    // Fail fast on a dead server: Temporal retries the activity with backoff.
    connectionTimeout: 15_000,
    greetingTimeout: 15_000,
    socketTimeout: 60_000,
  });
  return {
    async send(mail) {
      const info = await transport.sendMail(mail);
      return { accepted: info.accepted.map(addressOf), rejected: info.rejected.map(addressOf), response: info.response };
    },
    close: () => transport.close(),
  };
}
