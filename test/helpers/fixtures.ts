import type { RejectionDocument } from '../../workflows/rejection';

/** A complete, valid rejection document; tests override what they exercise. */
export function rejectionDocument(overrides: Partial<RejectionDocument> = {}): RejectionDocument {
  return {
    id: 'acme-eng-4711',
    candidate: { name: 'Ada Lovelace', email: 'ada@example.com', timezone: 'Europe/London' },
    company: 'Acme Analytics',
    role: 'Senior Data Engineer',
    interviewers: [
      { name: 'Grace Hopper', email: 'grace@acme.example.com', title: 'Head of Engineering' },
      { name: 'Alan Turing', email: 'alan@acme.example.com' },
    ],
    recruiter: { name: 'Katherine Johnson', email: 'katherine@acme.example.com' },
    rejectedAt: '2026-11-24T15:30:00Z',
    ...overrides,
  };
}
