// Figure 5: email throughput. The same N messages (every kind of step of a default sequence, in turn, each with
// its own Message-ID) through the email activity as the worker registers it (createEmailActivities → sendEmail,
// called directly, on createSmtpMailer: pooled nodemailer, 5 connections), against plain nodemailer sendMail
// of exactly the same SendMailOptions (captured from the activity) on a pooled transport with the same pool size,
// and on a non-pooled transport (one connection per message). Same sink process, same concurrency; the
// variants alternate round by round.
import nodemailer from 'nodemailer';
import type { SendMailOptions } from 'nodemailer';
import { createEmailActivities, renderRequest } from '../../activities/email';
import { createSmtpMailer, type Mailer } from '../../activities/mailer';
import { loadTemplates } from '../../activities/templates';
import { buildEmailRequest, type EmailRequest } from '../../workflows/email-request';
import { previewSequence } from '../../workflows/schedule';
import { sequenceInput, type BenchContext } from '../context';
import { fmt, met, ratioOf, type FigureResult } from '../report';
import { now, progress, round, runPool, summarize } from '../util';

const FROM = 'onward@bench.onward.test';
const POOL_SIZE = 5;

/** N email requests as the workflow builds them, cycling through the steps of the fixture's default sequence. */
function emailRequests(count: number, runId: string): EmailRequest[] {
  const input = sequenceInput(`${runId}-mail`);
  const steps = previewSequence(input.rejection, input.policy).flatMap((entry) =>
    entry.audience && entry.kind !== 'grieving-ends' && entry.kind !== 'feedback-deadline' ? [{ key: entry.key, kind: entry.kind, audience: entry.audience }] : [],
  );
  const context = { rejection: input.rejection, feedback: [{ text: 'Go deeper on system design.', from: 'Grace Hopper', receivedAt: new Date().toISOString() }], progress: [], checkInCount: input.policy.checkInCount };
  return Array.from({ length: count }, (_, index) => {
    const step = steps[index % steps.length];
    if (!step) throw new Error('the default sequence has no messages');
    return buildEmailRequest(context, { sequenceId: `rejection-${runId}-mail-${Math.floor(index / steps.length)}`, key: step.key, kind: step.kind, audience: step.audience });
  });
}

interface Variant {
  name: string;
  send(index: number): Promise<void>;
  close(): void;
}

export async function emailThroughput(context: BenchContext): Promise<FigureResult> {
  const { config, runId } = context;
  const sink = await context.smtpSink();
  const templates = loadTemplates();
  const requests = emailRequests(config.emails, runId);

  // The exact messages the activity hands to nodemailer, captured once, for the plain-nodemailer baselines.
  const captured: SendMailOptions[] = [];
  const recorder: Mailer = {
    send(mail) {
      captured.push(mail);
      return Promise.resolve({ accepted: ['captured'], rejected: [], response: '250 captured' });
    },
    close: () => undefined,
  };
  const capture = createEmailActivities({ mailer: recorder, templates, fromAddress: FROM });
  for (const request of requests) await capture.sendEmail(request);

  const mailer = createSmtpMailer(sink.url, { maxConnections: POOL_SIZE });
  const activities = createEmailActivities({ mailer, templates, fromAddress: FROM });
  const pooled = nodemailer.createTransport({ url: sink.url, pool: true, maxConnections: POOL_SIZE });
  const single = nodemailer.createTransport({ url: sink.url });
  // A fresh copy per send, as the activity builds its own: nodemailer works on the object it is given, and sending
  // the very same object again and again was measurably (up to ~10%) faster than any real sender.
  const fresh = (mail: SendMailOptions): SendMailOptions =>
    Object.fromEntries(Object.entries(mail).map(([key, value]) => [key, Array.isArray(value) ? [...(value as unknown[])] : value && typeof value === 'object' ? { ...value } : value]));
  const plainSend = (transport: typeof pooled | typeof single, index: number) => async () => {
    const info = (await transport.sendMail(fresh(captured[index] as SendMailOptions))) as { rejected: unknown[] };
    if (info.rejected.length > 0) throw new Error('the sink refused a recipient');
  };
  const variants: Variant[] = [
    { name: 'activity', send: async (index) => void (await activities.sendEmail(requests[index] as EmailRequest)), close: () => mailer.close() },
    { name: 'nodemailer-pooled', send: (index) => plainSend(pooled, index)(), close: () => pooled.close() },
    { name: 'nodemailer-unpooled', send: (index) => plainSend(single, index)(), close: () => single.close() },
  ];

  try {
    // Warm up: connections, template and MIME code paths, the JIT (not counted).
    // Throughput still climbs after a few hundred messages: warm each variant with as many as a measured round.
    for (const variant of variants) {
      const warm = Math.min(variant.name === 'nodemailer-unpooled' ? 20 : 1000, requests.length);
      await runPool(Array.from({ length: warm }, (_, index) => index), config.emailConcurrency, (index) => variant.send(index));
    }

    const measured = new Map(variants.map((variant) => [variant.name, { messages: 0, ms: 0, latencies: [] as number[] }]));
    const measure = async (variant: Variant, indexes: number[], label: string) => {
      const before = await sink.stats();
      const latencies: number[] = [];
      const began = now();
      await runPool(indexes, config.emailConcurrency, async (index) => {
        const at = now();
        await variant.send(index);
        latencies.push(now() - at);
      });
      const ms = now() - began;
      const after = await sink.stats();
      if (after.messages - before.messages !== indexes.length) {
        throw new Error(`${variant.name}: the sink received ${after.messages - before.messages} of ${indexes.length} messages`);
      }
      const entry = measured.get(variant.name);
      if (entry) {
        entry.messages += indexes.length;
        entry.ms += ms;
        entry.latencies.push(...latencies);
      }
      progress(`figure 5: ${label} ${variant.name}: ${indexes.length} messages in ${Math.round(ms)} ms (${Math.round((indexes.length / ms) * 1000)}/s)`);
    };

    // The activity and its baseline, alternating over 4 rounds (A B, B A, A B, B A): each round is about a second,
    // so neither always runs first, nor always right after the other's garbage.
    const [activityVariant, pooledVariant, unpooledVariant] = variants as [Variant, Variant, Variant];
    const rounds = 4;
    const perRound = Math.ceil(requests.length / rounds);
    for (let round_ = 0; round_ < rounds; round_++) {
      const indexes = Array.from({ length: Math.max(0, Math.min(perRound, requests.length - round_ * perRound)) }, (_, index) => round_ * perRound + index);
      if (indexes.length === 0) continue;
      for (const variant of round_ % 2 === 0 ? [activityVariant, pooledVariant] : [pooledVariant, activityVariant]) {
        await measure(variant, indexes, `round ${round_ + 1}/${rounds}`);
      }
    }
    // One connection per message is ten times slower: a reference, on fewer messages.
    await measure(unpooledVariant, Array.from({ length: Math.min(500, requests.length) }, (_, index) => index), 'reference');

    // What the activity does besides sendMail: rendering subject, text and HTML (Handlebars), per message.
    let renderMs = 0;
    for (let pass = 0; pass < 3; pass++) {
      const began = now();
      for (const request of requests) renderRequest(templates, request);
      renderMs = pass === 0 ? Number.POSITIVE_INFINITY : Math.min(renderMs, now() - began);
    }
    const renderMicrosecondsPerMessage = round((renderMs * 1000) / requests.length, 1);

    const results = variants.map((variant) => {
      const entry = measured.get(variant.name) ?? { messages: 0, ms: 0, latencies: [] };
      return { variant: variant.name, messages: entry.messages, ms: round(entry.ms), perSecond: round((entry.messages / entry.ms) * 1000), latencyMs: summarize(entry.latencies) };
    });
    const [activity, pooledResult, unpooledResult] = results;
    const ratio = ratioOf(activity?.perSecond ?? Number.NaN, pooledResult?.perSecond ?? Number.NaN);
    const ratioUnpooled = ratioOf(activity?.perSecond ?? Number.NaN, unpooledResult?.perSecond ?? Number.NaN);
    const size = (part: SendMailOptions['text']) => (typeof part === 'string' ? Buffer.byteLength(part) : 0);
    const averageBytes = round(captured.reduce((sum, mail) => sum + size(mail.text) + size(mail.html), 0) / captured.length, 0);
    return {
      rows: [
        {
          figure: '5',
          measure: `messages/s via sendEmail (${config.emails} msgs, ${config.emailConcurrency} in flight)`,
          onward: fmt(activity?.perSecond ?? Number.NaN),
          baseline: `${fmt(pooledResult?.perSecond ?? Number.NaN)} (nodemailer, pooled ${POOL_SIZE})`,
          ratio: fmt(ratio, 2),
          target: '>= 0.8',
          met: met(Number.isFinite(ratio) ? ratio >= 0.8 : undefined),
        },
        {
          figure: '5',
          measure: '  µs per message: the activity over plain sendMail; rendering alone',
          onward: fmt(round(1e6 / (activity?.perSecond ?? Number.NaN) - 1e6 / (pooledResult?.perSecond ?? Number.NaN), 1), 0),
          baseline: `${fmt(renderMicrosecondsPerMessage, 0)} (render)`,
          ratio: '',
          target: '',
          met: '',
        },
        {
          figure: '5',
          measure: '  against plain nodemailer, not pooled',
          onward: fmt(activity?.perSecond ?? Number.NaN),
          baseline: `${fmt(unpooledResult?.perSecond ?? Number.NaN)} (nodemailer, 1 conn/msg)`,
          ratio: fmt(ratioUnpooled, 2),
          target: '',
          met: '',
        },
      ],
      data: {
        messages: config.emails,
        concurrency: config.emailConcurrency,
        poolSize: POOL_SIZE,
        rounds,
        averageBodyBytes: averageBytes,
        renderMicrosecondsPerMessage,
        extraMicrosecondsPerMessage: round(1e6 / (activity?.perSecond ?? Number.NaN) - 1e6 / (pooledResult?.perSecond ?? Number.NaN), 1),
        baseline: 'nodemailer pooled transport, same pool size, a fresh copy of the same SendMailOptions the activity built',
        activity,
        baselinePooled: pooledResult,
        baselineUnpooled: unpooledResult,
        ratio,
        ratioAgainstUnpooled: ratioUnpooled,
        target: 'ratio >= 0.8',
        met: Number.isFinite(ratio) ? ratio >= 0.8 : null,
      },
    };
  } finally {
    for (const variant of variants) variant.close();
  }
}
