import type { DeliveryMode, StepKind } from './steps';

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/**
 * Every policy default, in one place. Zod-free, so the workflow bundle can read it (channels, send windows) without
 * the schemas; policy.ts declares each setting's `.default()` from here, and DEFAULT_POLICY (typed Policy there) is this object.
 */
export const POLICY_DEFAULTS = {
  supportiveNote: true,
  grievingPeriod: '2 days',
  dreamJobGrievingPeriod: '5 days',
  feedbackRequestDelay: '1 day',
  feedbackFrom: 'interviewer' as 'interviewer' | 'recruiter',
  feedbackWait: '10 days',
  feedbackReminder: true,
  feedbackReminderAfter: '5 days',
  checkInEvery: '1 week',
  checkInCount: 6,
  closingSummary: true,
  otherOpeningsDelay: '3 days',
  linkedInTaskDelay: '4 days',
  touchpointsAfter: ['30 days', '90 days'] as string[],
  sendWindow: { days: ['mon', 'tue', 'wed', 'thu', 'fri'] as Weekday[], start: '09:00', end: '17:00' },
  candidateSendWindow: { days: [...WEEKDAYS] as Weekday[], start: '09:00', end: '19:00' },
  holidays: 'auto' as 'auto' | string[],
  avoidRejectionDay: true,
  delivery: {} as Partial<Record<StepKind, DeliveryMode>>,
  approvalTimeout: '3 days',
  approvalFallback: 'send' as 'send' | 'skip',
  channels: {
    email: 'smtp' as 'smtp' | 'gmail',
    checkIns: 'email' as 'email' | 'google-calendar' | 'ics',
    contactTasks: 'email' as 'email' | 'google-tasks',
  },
  gmail: { mode: 'send' as 'send' | 'draft', replyDetection: false, pollEvery: '6 hours' },
};

/** A fresh copy of one default (schemas hand out copies: a parsed policy never shares arrays with another). */
export function defaultOf<Key extends keyof typeof POLICY_DEFAULTS>(key: Key): (typeof POLICY_DEFAULTS)[Key] {
  return structuredClone(POLICY_DEFAULTS[key]);
}
