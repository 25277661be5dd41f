/**
 * D1 answers some failures that a retry fixes (its documentation lists them): the connection
 * to the database lost, the storage object reset, the database reset because its code was
 * updated, the database overloaded. Those are retried with capped, jittered exponential
 * backoff; any other error is thrown at once.
 */
const TRANSIENT =
  /network connection lost|object (?:to be )?reset|reset because its code was updated|overloaded|storage caused object/i;

export function isTransientD1Error(error: unknown): boolean {
  return error instanceof Error && TRANSIENT.test(error.message);
}

export interface RetryOptions {
  attempts?: number;
  baseMs?: number;
  capMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

export async function withD1Retry<T>(
  work: () => Promise<T>,
  options: RetryOptions = {},
): Promise<T> {
  const attempts = options.attempts ?? 5;
  const baseMs = options.baseMs ?? 100;
  const capMs = options.capMs ?? 3_000;
  const sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (attempt >= attempts || !isTransientD1Error(error)) {
        throw error;
      }
      // "Full jitter": a random wait up to the capped exponential step.
      await sleep(Math.random() * Math.min(capMs, baseMs * 2 ** (attempt - 1)));
    }
  }
}
