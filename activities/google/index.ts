import type { Mailer } from '../mailer';
import type { OutcomesStore } from '../outcomes-store';
import type { SuppressionList } from '../suppression';
import type { Templates } from '../templates';
import { createCalendarActivities } from './calendar';
import type { GoogleDependencies } from './clients';
import { createGmailActivities } from './gmail';
import { createTasksActivities } from './tasks';

export interface GoogleActivityDependencies {
  google?: GoogleDependencies;
  mailer: Mailer;
  templates: Templates;
  fromAddress: string;
  suppressions?: SuppressionList;
  outcomes?: OutcomesStore;
}

/** The Google channels' activities; without `google` they fail at once, saying which settings are missing. */
export function createGoogleActivities(dependencies: GoogleActivityDependencies) {
  return {
    ...createGmailActivities(dependencies),
    ...createCalendarActivities(dependencies),
    ...createTasksActivities(dependencies),
  };
}

export { createCredentialsDirectory, SCOPES, type GoogleAccount, type GoogleAccounts, type CredentialsDirectoryOptions } from './accounts';
export type { GoogleDependencies } from './clients';
export { classifyGoogleError } from './errors';
export { eventIdFor } from './calendar';
export { taskMarker } from './tasks';
