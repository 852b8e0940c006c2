import type { Audience } from '../../workflows/recipients';
import type { StepKind } from '../../workflows/steps';

/** Who receives each kind of step, as the sequence addresses it (the first interviewer for the interviewer steps). */
export const AUDIENCE: Record<StepKind, Audience> = {
  'supportive-note': { role: 'candidate' },
  'thank-you': { role: 'interviewer', index: 0 },
  'feedback-request': { role: 'interviewer', index: 0 },
  'feedback-reminder': { role: 'interviewer', index: 0 },
  'check-in': { role: 'candidate' },
  'closing-summary': { role: 'candidate' },
  'other-openings': { role: 'recruiter' },
  'linkedin-task': { role: 'candidate' },
  touchpoint: { role: 'recruiter' },
  congratulations: { role: 'candidate' },
  'late-feedback': { role: 'candidate' },
};
