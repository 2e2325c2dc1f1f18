/**
 * Rate limits count per fixed minute. A test that makes a few requests and expects the limit
 * to bite must not straddle a minute's end (its count would start over), so it first waits
 * out the last seconds of a minute. Up to 15 s, only when it would otherwise be flaky.
 */
export async function awayFromMinuteEdge(needSeconds = 15): Promise<void> {
  const intoMinute = Date.now() % 60_000;
  if (intoMinute > 60_000 - needSeconds * 1000) await new Promise((resolve) => setTimeout(resolve, 60_000 - intoMinute + 50));
}
