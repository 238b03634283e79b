// The Trace Event Format's required fields and types, checked on a parsed trace file (shared by the unit and e2e tests).
import { expect } from 'vitest';

/** Checks a parsed trace file against the Trace Event Format's required fields and types; returns the X events. */
export function checkTraceFile(doc: unknown): Record<string, unknown>[] {
  expect(typeof doc).toBe('object');
  const events = (doc as { traceEvents: unknown }).traceEvents;
  expect(Array.isArray(events)).toBe(true);
  const complete: Record<string, unknown>[] = [];
  for (const e of events as Record<string, unknown>[]) {
    expect(typeof e.name).toBe('string');
    expect(['X', 'M']).toContain(e.ph);
    expect(Number.isInteger(e.pid)).toBe(true);
    expect(Number.isInteger(e.tid)).toBe(true);
    expect(typeof e.args).toBe('object');
    if (e.ph === 'X') {
      expect(typeof e.ts).toBe('number');
      expect(typeof e.dur).toBe('number');
      expect(e.dur as number).toBeGreaterThanOrEqual(0);
      complete.push(e);
    } else {
      expect(['process_name', 'thread_name']).toContain(e.name);
      expect(typeof (e.args as { name: unknown }).name).toBe('string');
    }
  }
  return complete;
}
