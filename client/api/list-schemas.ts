import { z } from 'zod';
import { STAGES } from '../../workflows/status';

const day = z.iso.date({ error: 'must be a date, YYYY-MM-DD' });

/** GET /sequences: its query, declared once for the route and for openapi.ts. */
export const listQuerySchema = z
  .strictObject({
    stage: z.enum(STAGES).optional(),
    coach: z.string().trim().min(1).max(120).optional().describe("The coach's name, any case."),
    q: z.string().trim().min(2).max(120).optional().describe("Part of the candidate's name or the company: the start of any of their words, any case, accents ignored."),
    from: day.optional().describe('Rejected on or after this day (UTC).'),
    to: day.optional().describe('Rejected on or before this day (UTC).'),
    pageSize: z.coerce.number().int().min(1).max(100).default(25),
    cursor: z.string().min(1).max(4096).optional().describe('The nextCursor of the previous page.'),
  })
  .refine((query) => !query.from || !query.to || query.from <= query.to, { path: ['to'], message: 'must not be before from' });

/** GET /approvals takes no parameters. */
export const approvalsQuerySchema = z.strictObject({});
