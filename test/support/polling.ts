/** Waiting in tests for something another process does. */

/** Polls `check` every 50 ms; resolves true once it holds, false when `timeoutMs` ran out first. */
export async function until(check: () => boolean, timeoutMs = 10_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return true;
}
