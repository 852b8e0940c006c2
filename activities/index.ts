import { createEmailActivities, type EmailDependencies } from './email';
import { createOutcomesActivities } from './outcomes';
import { createSuppressionActivities } from './suppression';
import { createGoogleActivities } from './google';
import type { GoogleDependencies } from './google/clients';

export type ActivityDependencies = EmailDependencies & {
  /** Gmail, Google Calendar and Google Tasks, for the policies that choose them (see docs/google.md). */
  google?: GoogleDependencies;
};

/** Every activity of a sequence, built from the clients it needs; the worker registers the result. */
export function createActivities(dependencies: ActivityDependencies) {
  return {
    ...createEmailActivities(dependencies),
    ...createGoogleActivities(dependencies),
    ...createSuppressionActivities(dependencies),
    ...createOutcomesActivities(dependencies),
  };
}

export type { Mailer, DeliveryReport } from './mailer';
export { createSmtpMailer } from './mailer';
export { loadTemplates, DEFAULT_TEMPLATES_DIR } from './templates';
export { createDatabaseSuppressionList, createMemorySuppressionList, suppressionFileFrom, type SuppressionList } from './suppression';
export { createOutcomesStore, eraseOutcomesOf, type OutcomesStore } from './outcomes-store';
export { unsubscribeLinksFrom, type UnsubscribeLinks } from './unsubscribe-token';
export { createCredentialsDirectory, type GoogleDependencies } from './google';
