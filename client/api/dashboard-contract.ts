/**
 * The shapes of the endpoints the dashboard reads, as the server declares them (one declaration per shape): the
 * pages are built against these types only, never against how the server computes them.
 */
import type { Approval, ListPage, SequenceListItem } from './sequence-list';
import type { OutcomeGroup, OutcomesReport, SentMessageView } from './outcomes-report';

export type { Approval, OutcomeGroup, OutcomesReport, SequenceListItem };
export type { RecipientRole } from '../../workflows/transitions';
export type SentMessage = SentMessageView;

/** GET /sequences?stage=&coach=&q=&from=&to=&pageSize=&cursor= */
export type SequencesPage = ListPage & { tenant: string };

/** GET /approvals: every draft waiting for a person, oldest first. */
export interface ApprovalsPage {
  tenant: string;
  approvals: Approval[];
}

/** GET /sequences/:id/messages: the messages sent, by sentAt, with the text as sent. */
export interface MessagesPage {
  rejectionId: string;
  messages: SentMessage[];
}

export type OutcomeDimension = 'byMonth' | 'byCoach' | 'byCompany';
