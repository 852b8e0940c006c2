import { DateTime } from 'luxon';
import type { Handover, TaskRequest } from '../../workflows/google';
import { renderRequest } from '../email';
import type { Templates } from '../templates';
import { SCOPES } from './accounts';
import { call, requireGoogle, tasksFor, type GoogleDependencies } from './clients';

export interface TasksDependencies {
  google?: GoogleDependencies;
  templates: Templates;
}

const TITLE_LIMIT = 1024;
const NOTES_LIMIT = 8192;

/** Marks a task as one step of one sequence: Tasks has no idempotency key, so a retry looks for this first. */
export function taskMarker(sequenceId: string, stepKey: string): string {
  return `[onward ${sequenceId} ${stepKey}]`;
}

/** The task for the candidate: "Connect with <contact> on LinkedIn", or a touchpoint to write themselves. */
export function taskFor(request: TaskRequest, templates: Templates): { title: string; notes: string } {
  const rendered = renderRequest(templates, request);
  const contact = request.vars.contact.name;
  const title =
    request.kind === 'linkedin-task'
      ? `Connect with ${contact} on LinkedIn`
      : `Get in touch with ${request.to.name} at ${request.vars.company}${request.vars.touchpoint ? ` (touchpoint ${request.vars.touchpoint.number})` : ''}`;
  const body =
    request.kind === 'linkedin-task'
      ? rendered.text
      : `A note to send to ${request.to.name} <${request.to.email}>:\n\nSubject: ${rendered.subject}\n\n${rendered.text}`;
  const marker = `\n\n${taskMarker(request.sequenceId, request.key)}`;
  return { title: title.slice(0, TITLE_LIMIT), notes: body.trim().slice(0, NOTES_LIMIT - marker.length) + marker };
}

export function createTasksActivities({ google, templates }: TasksDependencies) {
  return {
    /** Step 6 with google-tasks: a task in the candidate's default list, due today (once, whatever the retries). */
    async createGoogleTask(request: TaskRequest): Promise<Handover> {
      const dependencies = requireGoogle(google);
      const account = dependencies.accounts.account(request.google.account, request.google.mailbox, [SCOPES.tasks]);
      const api = tasksFor(account, dependencies.rootUrl);
      const { title, notes } = taskFor(request, templates);
      const marker = taskMarker(request.sequenceId, request.key);
      const dueDay = DateTime.fromISO(request.due, { zone: 'utc' });
      const due = dueDay.toISO({ suppressMilliseconds: false }) ?? `${request.due}T00:00:00.000Z`;
      const dueMax = dueDay.plus({ days: 1 }).toISO() ?? due;

      let pageToken: string | undefined;
      do {
        const page = await call(account, `looking for the task of ${request.key}`, () =>
          api.tasks.list({ tasklist: '@default', dueMin: due, dueMax, showCompleted: true, showHidden: true, maxResults: 100, ...(pageToken ? { pageToken } : {}) }),
        );
        const existing = page.data.items?.find((task) => task.notes?.includes(marker));
        if (existing?.id) return { taskId: existing.id };
        pageToken = page.data.nextPageToken ?? undefined;
      } while (pageToken);

      const created = await call(account, `creating the Google Task of ${request.key}`, () =>
        api.tasks.insert({ tasklist: '@default', requestBody: { title, notes, due } }),
      );
      if (!created.data.id) throw new Error(`Google Tasks created ${request.key} without an id: retrying`);
      return { taskId: created.data.id };
    },
  };
}
