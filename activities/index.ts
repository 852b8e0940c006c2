import { createEmailActivities, type EmailDependencies } from './email';

export type ActivityDependencies = EmailDependencies;

/** Every activity of a sequence, built from the clients it needs; the worker registers the result. */
export function createActivities(dependencies: ActivityDependencies) {
  return {
    ...createEmailActivities(dependencies),
  };
}

export type { Mailer, DeliveryReport } from './mailer';
export { createSmtpMailer } from './mailer';
export { loadTemplates, DEFAULT_TEMPLATES_DIR } from './templates';
