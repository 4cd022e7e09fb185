/**
 * Milliseconds on the system-wide monotonic clock (CLOCK_MONOTONIC through `process.hrtime`), with
 * microsecond precision. Processes on one Linux host share this clock, so the harness can place the
 * healer's event times on its own timeline without trusting wall-clock time.
 */
export function monotonicNowMs(): number {
  return Number(process.hrtime.bigint() / 1_000n) / 1_000;
}
