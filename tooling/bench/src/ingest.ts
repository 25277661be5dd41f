// Event ingest: events.track calls that extend states, then the same calls again the same day,
// which extend nothing.
import { type Bench, type BenchServer, type Cpu, fmt, MS_PER_DAY, withCpu } from "./bench.ts";
import { type Dataset, profileId } from "./dataset.ts";
import { type LoadRequest, type LoadResult, runLoad } from "./load.ts";

/** Types that extend one or all four consents of the catalogue. */
export const EVENT_TYPES = ["email_clicked", "order_placed", "sms_clicked", "loyalty_page_visited"];

/** `count` events.track calls; event n goes to profile `offset + n` with a type in turn. */
export function eventBatches(
  bench: Bench,
  dataset: Dataset,
  count: number,
  offset: number,
  at: number,
): LoadRequest[] {
  const { batchSize, profiles } = bench.opts;
  const occurredAt = new Date(at).toISOString();
  return Array.from({ length: count }, (_, b) => {
    const events = Array.from({ length: batchSize }, (_, j) => {
      const n = offset + b * batchSize + j;
      return {
        profileId: profileId(n % profiles),
        type: EVENT_TYPES[n % EVENT_TYPES.length],
        occurredAt,
      };
    });
    const key = dataset.eventKeys[(offset + b) % dataset.eventKeys.length];
    return {
      method: "POST",
      path: "/trpc/events.track",
      headers: { Authorization: `Bearer ${key}` },
      body: JSON.stringify({ events }),
    };
  });
}

/** States extended, added up over the answers of events.track calls. */
export function sumExtended(result: LoadResult): number {
  let sum = 0;
  for (const answer of result.answers) {
    sum += (JSON.parse(answer.body) as { result: { data: { extended: number } } }).result.data
      .extended;
  }
  return sum;
}

/** One pass of the calls: `perSecond` counts calls, `eventsPerSecond` events. */
export type IngestPass = LoadResult & { cpu: Cpu; extended: number; eventsPerSecond: number };

export interface IngestFigures {
  extending: IngestPass;
  repeats: IngestPass;
}

export async function measureIngest(
  bench: Bench,
  server: BenchServer,
  dataset: Dataset,
): Promise<IngestFigures> {
  const { opts } = bench;
  // Dated yesterday: the metered pass, dated later today, then extends states again whatever
  // the sizes.
  const eventsAt = Date.now() - MS_PER_DAY;
  const warmup = eventBatches(bench, dataset, 2, opts.profiles - 2 * opts.batchSize, eventsAt);
  await runLoad({
    url: server.url,
    connections: 1,
    requests: warmup.length,
    seconds: 60,
    next: (i) => warmup[i] as LoadRequest,
  });
  const batches = eventBatches(bench, dataset, opts.ingestBatches, 0, eventsAt);
  const pass = async (): Promise<IngestPass> => {
    const [result, cpu] = await withCpu(server, () =>
      runLoad({
        url: server.url,
        connections: opts.ingestConnections,
        requests: batches.length,
        seconds: 600,
        next: (i) => batches[i] as LoadRequest,
        keepAnswers: true,
      }),
    );
    const eventsPerSecond = (result.requests * opts.batchSize) / result.seconds;
    return { ...result, cpu, extended: sumExtended(result), eventsPerSecond };
  };
  const extending = await pass();
  const repeats = await pass();
  bench.log(
    `ingest: ${fmt(extending.eventsPerSecond)} events/s extending (${fmt(extending.extended)} states extended), ${fmt(repeats.eventsPerSecond)} events/s repeating (${fmt(repeats.extended)} extended)`,
  );
  return { extending, repeats };
}
