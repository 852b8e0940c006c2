import { patched } from '@temporalio/workflow';
import { durationMs } from './durations';
import type { SequenceInput } from './input';
import { followUpMessages } from './plan-messages';
import { planFeedbackWait, planFollowUps, planGrieving, planMessage, type PlannedMessage } from './schedule';
import { Sequence } from './sequence';
import type { SequenceOutcome } from './status';

/**
 * One rejection, followed up over weeks in the six steps of "What to Do When You Don't Get the Job".
 * The schedule is pure (./schedule); this function only says what happens in which order.
 */
export async function rejectionFollowUp(input: SequenceInput): Promise<SequenceOutcome> {
  const { rejection, policy } = input;
  // A rejection entered late: its supportive note goes from now, or not at all once grieving is over.
  const grieving = planGrieving(rejection, policy, patched('sched-late-rejection') ? Date.now() : undefined);
  const sequence = new Sequence(input, grieving.endsAt);

  // 1. Take time to grieve: an optional supportive note, then a wait the candidate can end or extend.
  await Promise.all([
    grieving.supportiveNote && sequence.deliver(grieving.supportiveNote, { skipWhen: () => (sequence.state.grievingOver ? 'grieving ended first' : undefined) }),
    sequence.waitForGrievingToEnd(),
  ]);

  const plan = planFollowUps(rejection, policy, Date.now());
  // Sequences that were past this point when the closing summary shipped go on without it (replay-safe).
  const closingSummary = plan.closingSummary && patched('closing-summary') ? plan.closingSummary : undefined;
  sequence.schedule(followUpMessages(plan, { closingSummary }));

  // The steps start in this order, which the recorded histories keep: their first commands follow it.
  const thankYouNotes = sendThankYouNotes(sequence, plan.thankYous); // 2
  const feedback = askForFeedback(sequence, plan.feedbackRequest, thankYouNotes); // 3
  const searching = keepSearching(sequence, plan.checkIns, closingSummary); // 4
  const openings = askAboutOtherOpenings(sequence, plan.otherOpenings, thankYouNotes); // 5
  const radar = stayOnTheRadar(sequence, plan.linkedInTask, plan.touchpoints); // 6
  const steps = Promise.all([thankYouNotes, feedback, searching, openings, radar]);
  // Sequences past this point when it shipped never pass late feedback on (replay-safe).
  await Promise.all([steps, patched('wf-late-feedback') && passOnLateFeedback(sequence, searching, steps)]);

  if (sequence.ending === 'hired') await congratulate(sequence);
  // Sequences that opted out before this shipped stay as they were (replay-safe).
  if (sequence.ending === 'opted-out' && patched('opt-out-suppresses')) await sequence.suppressCandidate();
  return sequence.outcome();
}

/** 2. A personal thank-you note to each interviewer, valuing their time. */
async function sendThankYouNotes(sequence: Sequence, thankYous: PlannedMessage[]): Promise<void> {
  await Promise.all(thankYous.map((note) => sequence.deliver(note)));
}

/** 3. Ask what would make the candidate more competitive, once thanked; wait for the answer, remind at most once. */
async function askForFeedback(sequence: Sequence, request: PlannedMessage, thankYouNotes: Promise<void>): Promise<void> {
  // A thank-you note held for approval holds the request back; sequences past this point when it shipped ask as planned.
  if (patched('wf-request-after-thank-yous')) {
    await thankYouNotes;
    request = sequence.afterTheThankYous(request, sequence.policy.feedbackRequestDelay, { dayOfItsOwn: false });
  }
  const alreadyAnswered = () => (sequence.state.feedbackReceived ? 'feedback already received' : undefined);
  if ((await sequence.deliver(request, { skipWhen: alreadyAnswered })) !== 'sent') return;

  const wait = planFeedbackWait(sequence.rejection, sequence.policy, Date.now());
  if (wait.reminder) {
    sequence.schedule([wait.reminder]);
    // Threaded under the request; held back past the deadline (e.g. paused), it no longer goes out.
    const reminder = { inReplyTo: sequence.state.messageIdOf(request.key), skipWhen: () => sequence.state.reasonNotToRemind() };
    await Promise.all([sequence.deliver(wait.reminder, reminder), sequence.waitForFeedback(wait.deadline, request.key)]);
  } else {
    await sequence.waitForFeedback(wait.deadline, request.key);
  }
}

/** 4. Weekly check-ins that prompt the next concrete action and hand back the feedback received; then a summary. */
async function keepSearching(sequence: Sequence, checkIns: PlannedMessage[], closingSummary?: PlannedMessage): Promise<void> {
  const calendar = sequence.addToCalendar(checkIns); // with google-calendar: events in the candidate's calendar too
  for (const [index, checkIn] of checkIns.entries()) {
    if ((await sequence.deliver(checkIn)) === 'stopped') return calendar.removeFrom(index);
  }
  if (closingSummary) await sequence.deliver(closingSummary);
}

/** 3, later: feedback that comes after the last check-in goes to the candidate in a short note, while the sequence runs. */
async function passOnLateFeedback(sequence: Sequence, searching: Promise<void>, steps: Promise<unknown>): Promise<void> {
  let stepsOver = false;
  const over = () => stepsOver || !!sequence.ending;
  const markOver = () => {
    stepsOver = true;
  };
  void steps.then(markOver, markOver);
  await searching;
  let handedBack = sequence.state.feedback.length; // the check-ins and the closing summary handed these back
  while (await sequence.waitForFeedbackBeyond(handedBack, over)) {
    const note = planMessage(sequence.rejection, sequence.policy, { key: `late-feedback:${handedBack + 1}`, kind: 'late-feedback', audience: { role: 'candidate' } }, Date.now());
    handedBack = sequence.state.feedback.length;
    await sequence.deliver(note);
  }
}

/** 5. Ask the recruiter (or the interviewer) whether other openings match the candidate's skills, once thanked. */
async function askAboutOtherOpenings(sequence: Sequence, question: PlannedMessage, thankYouNotes: Promise<void>): Promise<void> {
  // Sequences that reached this step before it shipped ask as first planned (replay-safe).
  if (patched('wf-openings-after-thank-yous')) {
    await thankYouNotes;
    // Never the same day as another email to that person, unless the policy spaces its steps by less than a day (demos).
    const dayOfItsOwn = durationMs(sequence.policy.otherOpeningsDelay) >= 24 * 60 * 60 * 1000;
    question = sequence.afterTheThankYous(question, sequence.policy.otherOpeningsDelay, { dayOfItsOwn });
  }
  await sequence.deliver(question);
}

/** 6. A "connect on LinkedIn" task for the candidate, then touchpoints to stay on the recruiter's radar. */
async function stayOnTheRadar(sequence: Sequence, linkedInTask: PlannedMessage, touchpoints: PlannedMessage[]): Promise<void> {
  if ((await sequence.deliver(linkedInTask)) === 'stopped') return;
  // Once the recruiter has answered by email (workflows/replies), the remaining touchpoints are skipped.
  const answered = () => sequence.state.reasonNotToTouchBase();
  for (const touchpoint of touchpoints) {
    if ((await sequence.deliver(touchpoint, { skipWhen: answered })) === 'stopped') return;
  }
}

/** Hired: every remaining step is over; one last note to celebrate. */
async function congratulate(sequence: Sequence): Promise<void> {
  const note = planMessage(sequence.rejection, sequence.policy, { key: 'congratulations', kind: 'congratulations', audience: { role: 'candidate' } }, Date.now());
  await sequence.deliver(note, { afterEnding: true });
}
