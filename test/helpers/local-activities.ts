import type { temporal } from '@temporalio/proto';

/**
 * The activity type of each local activity a history recorded (Core's `core_local_activity` markers), or `(unreadable)`
 * for a marker whose data is not Core's JSON: the tests that no email goes out as a local activity read these.
 */
export function localActivityTypes(events: temporal.api.history.v1.IHistoryEvent[]): string[] {
  return events.flatMap((event) => {
    const marker = event.markerRecordedEventAttributes;
    if (marker?.markerName !== 'core_local_activity') return [];
    const data = marker.details?.data?.payloads?.[0]?.data;
    try {
      const parsed = JSON.parse(Buffer.from(data ?? new Uint8Array()).toString('utf8')) as { activity_type?: unknown };
      return [typeof parsed.activity_type === 'string' ? parsed.activity_type : '(unreadable)'];
    } catch {
      return ['(unreadable)'];
    }
  });
}
