import { z } from 'zod';
import { rejectionJsonSchema } from '../../workflows/input';
import { STAGES } from '../../workflows/status';
import { SNOOZE_CHOICES } from '../../common/action-strings';
import { HTTP_ACTIONS, ACTION_NAMES } from './actions';
import { listQuerySchema } from './list-schemas';

type Json = Record<string, unknown>;

const ref = (name: string): Json => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: Json): Json => ({ 'application/json': { schema } });
const errorResponse = (description: string): Json => ({ description, content: json(ref('Errors')) });
const errors = (...codes: number[]): Json =>
  Object.fromEntries(
    codes.map((code) => [
      String(code),
      errorResponse(
        {
          400: 'Bad input: every bad field with the reason.',
          401: 'Missing or unknown API key (webhooks: missing or forged signature).',
          403: 'The API key may not do this (e.g. read another tenant).',
          404: 'No such sequence for this tenant (another tenant\'s sequence is "not found" too).',
          409: 'In conflict with the sequence\'s state (the workflow\'s reason).',
          415: 'Unsupported content type.',
          422: 'The ATS event has too little to start a sequence (configure the missing defaults).',
          429: 'Over a rate limit: retry after the Retry-After header\'s seconds.',
          503: 'The sequence did not answer its status query (no worker running?).',
        }[code] ?? 'Error',
      ),
    ]),
  );
const idParameter = { name: 'id', in: 'path', required: true, description: 'The rejection id.', schema: { type: 'string' } };
const tokenParameter = { name: 'token', in: 'query', required: true, description: 'The signed token of the link (the only authority: no API key).', schema: { type: 'string' } };
const inputSchema = (schema: z.ZodType): Json => z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });
const strings = (...names: string[]): Json => Object.fromEntries(names.map((name) => [name, { type: 'string' }]));
const dates = (...names: string[]): Json => Object.fromEntries(names.map((name) => [name, { type: 'string', format: 'date-time' }]));
/** A route's query parameters, from the zod schema the route validates with. */
function queryParameters(schema: z.ZodType): Json[] {
  const { properties = {} } = inputSchema(schema) as { properties?: Record<string, Json> };
  return Object.entries(properties).map(([name, property]) => {
    const { description, ...rest } = property;
    return { name, in: 'query', schema: rest, ...(description === undefined ? {} : { description }) };
  });
}

/** The OpenAPI 3.1 document served at /openapi.json; test/api checks that it names every route the server has. */
export function openApiDocument(): Json {
  const actions = Object.fromEntries(
    ACTION_NAMES.map((name) => [
      `/sequences/{id}/${name}`,
      {
        post: {
          operationId: `action-${name}`,
          summary: HTTP_ACTIONS[name].summary,
          description: `The same action as \`onward ${name} ID\`. The workflow applies it or refuses it with its reason.`,
          tags: ['actions'],
          parameters: [idParameter],
          requestBody: { required: false, content: json(inputSchema(HTTP_ACTIONS[name].body)) },
          responses: {
            200: { description: 'Applied; the sequence\'s stage now.', content: json({ type: 'object', properties: { rejectionId: { type: 'string' }, stage: { enum: [...STAGES] } } }) },
            ...errors(400, 401, 404, 409),
          },
        },
      },
    ]),
  );
  return {
    openapi: '3.1.0',
    info: {
      title: 'Onward API',
      version: '1.0.0',
      description: 'Start, watch and steer rejection follow-up sequences. Every request but the webhooks carries `Authorization: Bearer <API key>`; a key sees and acts on its own tenant\'s sequences only.',
    },
    components: {
      securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'An API key of your tenant (ONWARD_API_KEYS).' } },
      schemas: {
        RejectionDocument: rejectionJsonSchema(),
        Errors: {
          type: 'object',
          required: ['errors'],
          properties: {
            errors: {
              type: 'array',
              items: { type: 'object', required: ['field', 'problem'], properties: { field: { type: 'string' }, problem: { type: 'string' } } },
            },
          },
        },
        SequencePage: {
          type: 'object',
          required: ['tenant', 'sequences'],
          properties: {
            tenant: { type: 'string' },
            sequences: {
              type: 'array',
              items: {
                type: 'object',
                required: ['rejectionId', 'workflowId', 'stage', 'startedAt', 'awaitingApproval'],
                properties: {
                  ...strings('rejectionId', 'workflowId', 'candidate', 'company', 'role', 'coach'),
                  stage: { type: 'string' },
                  ...dates('rejectedAt', 'startedAt', 'closedAt'),
                  next: { type: 'object', properties: { ...strings('key', 'kind', 'to', 'status'), ...dates('at') } },
                  awaitingApproval: { type: 'integer', minimum: 0 },
                },
              },
            },
            nextCursor: { type: 'string', description: 'Pass as `cursor` for the next page; absent on the last page.' },
          },
        },
        Approvals: {
          type: 'object',
          required: ['tenant', 'approvals'],
          properties: {
            tenant: { type: 'string' },
            approvals: {
              type: 'array',
              items: {
                type: 'object',
                properties: {
                  ...strings('rejectionId', 'workflowId', 'candidate', 'company', 'role', 'key', 'kind', 'to', 'subject', 'text'),
                  ...dates('decideBy', 'waitingSince'),
                  fallback: { enum: ['send', 'skip'], description: 'What happens at decideBy when nobody decides.' },
                },
              },
            },
          },
        },
        StartResult: {
          type: 'object',
          properties: { outcome: { enum: ['started', 'existing'] }, rejectionId: { type: 'string' }, workflowId: { type: 'string' } },
        },
        ImportReport: {
          type: 'object',
          properties: {
            started: { type: 'integer' },
            existing: { type: 'integer' },
            refused: { type: 'integer' },
            rows: {
              type: 'array',
              items: {
                type: 'object',
                properties: { line: { type: 'integer' }, id: { type: 'string' }, outcome: { enum: ['started', 'existing', 'refused'] }, problems: ref('Errors') },
              },
            },
          },
        },
      },
    },
    security: [{ apiKey: [] }],
    paths: {
      '/rejections': {
        post: {
          operationId: 'start',
          summary: 'Start the sequence of a rejection (the same document as `onward start`).',
          description: 'Idempotent on `id`: 201 when started, 200 with the existing sequence when it already exists.',
          requestBody: { required: true, content: json(ref('RejectionDocument')) },
          responses: {
            201: { description: 'Started.', content: json(ref('StartResult')) },
            200: { description: 'Already existed: nothing new was started.', content: json(ref('StartResult')) },
            ...errors(400, 401, 409, 415),
          },
        },
      },
      '/sequences': {
        get: {
          operationId: 'list',
          summary: "A page of the tenant's sequences (one visibility query), running ones first, newest first, with each one's next step.",
          parameters: queryParameters(listQuerySchema),
          responses: { 200: { description: 'A page of sequences; nextCursor when there is another.', content: json(ref('SequencePage')) }, ...errors(400, 401) },
        },
      },
      '/approvals': {
        get: {
          operationId: 'approvals',
          summary: "The tenant's drafts waiting for a decision, oldest first (decide with POST /sequences/{id}/approve).",
          responses: { 200: { description: 'The drafts.', content: json(ref('Approvals')) }, ...errors(401) },
        },
      },
      '/sequences/{id}': {
        get: {
          operationId: 'status',
          summary: 'A sequence: stage, timeline (done, pending, failed), feedback, progress, log (as `onward status --json`).',
          parameters: [idParameter],
          responses: { 200: { description: 'The status, the execution, and the ATS record if it came from one.', content: json({ type: 'object' }) }, ...errors(401, 404, 503) },
        },
      },
      ...actions,
      '/imports': {
        post: {
          operationId: 'import',
          summary: 'Start one sequence per CSV row (as `onward import FILE.csv`); re-posting the same file starts nothing twice.',
          requestBody: { required: true, content: { 'text/csv': { schema: { type: 'string' } } } },
          responses: { 200: { description: 'A report per row.', content: json(ref('ImportReport')) }, ...errors(400, 401, 415) },
        },
      },
      '/outcomes': {
        get: {
          operationId: 'outcomes',
          summary:
            'Outcomes from the ledger, by month of the rejection, by coach and by client company: feedback reply rate, hires and median days to the next job, opt-outs, messages by step and status.',
          parameters: [
            { name: 'from', in: 'query', description: 'First rejection date included (YYYY-MM-DD).', schema: { type: 'string', format: 'date' } },
            { name: 'to', in: 'query', description: 'Last rejection date included (YYYY-MM-DD).', schema: { type: 'string', format: 'date' } },
            { name: 'format', in: 'query', schema: { enum: ['json', 'csv'], default: 'json' } },
          ],
          responses: {
            200: { description: 'The report (JSON), or one CSV row per (dimension, group).', content: { ...json({ type: 'object' }), 'text/csv': { schema: { type: 'string' } } } },
            ...errors(400, 401, 503),
          },
        },
      },
      '/sequences/{id}/messages': {
        get: {
          operationId: 'messages',
          summary: 'The messages a sequence sent, with their subject and text as sent, oldest first (from the ledger: kept after Temporal forgets the sequence).',
          parameters: [idParameter],
          responses: { 200: { description: '{ rejectionId, messages: [{ key, kind, to, recipientRole, subject, text, sentAt }] }', content: json({ type: 'object' }) }, ...errors(401, 404, 503) },
        },
      },
      '/webhooks/{tenant}/{ats}': {
        post: {
          operationId: 'webhook',
          summary: 'ATS webhooks (greenhouse, lever, ashby), verified by their signature instead of an API key.',
          security: [],
          parameters: [
            { name: 'tenant', in: 'path', required: true, schema: { type: 'string' } },
            { name: 'ats', in: 'path', required: true, schema: { enum: ['greenhouse', 'lever', 'ashby'] } },
          ],
          requestBody: { required: true, content: json({ type: 'object' }) },
          responses: {
            200: { description: 'What Onward did: started, existing, cancelled, ignored (with the reason) or duplicate.', content: json({ type: 'object' }) },
            ...errors(400, 401, 404, 409, 422),
          },
        },
      },
      '/openapi.json': { get: { operationId: 'openapi', summary: 'This document.', security: [], responses: { 200: { description: 'OpenAPI 3.1' } } } },
      '/unsubscribe': {
        get: {
          operationId: 'unsubscribe-page',
          summary: 'The confirmation page of an unsubscribe link (changes nothing; its button POSTs).',
          security: [],
          parameters: [tokenParameter],
          responses: { 200: { description: 'An HTML page with an Unsubscribe button.' }, 400: { description: 'An HTML page: the link is invalid or expired.' } },
        },
        post: {
          operationId: 'unsubscribe',
          summary: 'One-click unsubscribe (RFC 8058, body `List-Unsubscribe=One-Click`): suppresses the address and opts the sequence out. Idempotent.',
          security: [],
          parameters: [tokenParameter],
          responses: { 200: { description: 'Unsubscribed (also when it already was).', content: json({ type: 'object', properties: { unsubscribed: { type: 'boolean' }, email: { type: 'string' } } }) }, ...errors(400) },
        },
      },
      '/act': {
        get: {
          operationId: 'action-page',
          summary: "The confirmation page of a candidate's action link (ready, more time, progress, hired): changes nothing; its form POSTs.",
          security: [],
          parameters: [tokenParameter],
          responses: { 200: { description: 'An HTML page with the action\'s form.' }, 400: { description: 'An HTML page: the link is invalid or expired.' } },
        },
        post: {
          operationId: 'action',
          summary: "Runs the action the token names (the same update as `POST /sequences/{id}/{action}`); the token comes in the form's body, never a cookie.",
          security: [],
          requestBody: {
            content: {
              'application/x-www-form-urlencoded': {
                schema: {
                  type: 'object',
                  required: ['token'],
                  properties: {
                    token: { type: 'string', description: 'The signed token of the link.' },
                    for: { type: 'string', enum: [...SNOOZE_CHOICES], description: 'More time: one of the offered durations.' },
                    applications: { type: 'string', description: 'Progress: a whole number.' },
                    interviews: { type: 'string', description: 'Progress: a whole number.' },
                    note: { type: 'string' },
                  },
                },
              },
            },
          },
          responses: {
            200: { description: 'An HTML page: done.' },
            400: { description: 'An HTML page: the link is invalid or expired, or a field was refused (named with its problem).' },
            409: { description: "An HTML page: the sequence's state refuses the action, in the update's words (e.g. \"grieving is already over\")." },
          },
        },
      },
      '/health': { get: { operationId: 'health', summary: 'Liveness.', security: [], responses: { 200: { description: 'ok' } } } },
    },
  };
}
