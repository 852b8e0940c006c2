/** The kinds of message a sequence sends, in the order of the article's six steps. */
export const STEP_KINDS = [
  'supportive-note', // 1. take time to grieve
  'thank-you', // 2. send a thank-you note
  'feedback-request', // 3. respectfully ask for feedback
  'feedback-reminder', // 3. at most one polite reminder, in the same thread
  'check-in', // 4. continue your job search
  'closing-summary', // 4. what the weeks of searching brought: feedback, applications, interviews
  'other-openings', // 5. ask about other openings
  'linkedin-task', // 6. maintain the relationship
  'touchpoint', // 6. stay on the recruiter's radar
  'congratulations', // the candidate was hired
  'late-feedback', // 3. feedback that came after the last check-in, passed on to the candidate
] as const;

export type StepKind = (typeof STEP_KINDS)[number];

export type DeliveryMode = 'send' | 'approve';
