// Storefront reads: profile.get with a publishable key and a profile token, at the given
// concurrency and at one connection, and /healthz, the runtime's own floor, beside them.
import { signProfileToken } from "@lapse/client/server";
import { type Bench, type BenchServer, type Cpu, fmt, withCpu } from "./bench.ts";
import { CALLS_PER_KEY, type Dataset, profileId } from "./dataset.ts";
import { type LoadRequest, type LoadResult, runLoad } from "./load.ts";

/** profile.get calls spread over 2,000 customers and round-robin over the publishable keys. */
export interface Reader {
  next(i: number): LoadRequest;
  /** Calls made so far, over every key: each key allows CALLS_PER_KEY in the whole bench. */
  calls(): number;
}

export async function createReader(bench: Bench, dataset: Dataset): Promise<Reader> {
  const readers = 2000;
  const tokens = await Promise.all(
    Array.from({ length: readers }, async (_, i) => {
      const id = profileId(Math.floor((i * bench.opts.profiles) / readers));
      const token = await signProfileToken({
        secret: dataset.secrets.signingSecret,
        kid: dataset.secrets.signingKid,
        profileId: id,
        ttlSeconds: 3600,
      });
      return { id, token };
    }),
  );
  let calls = 0;
  return {
    calls: () => calls,
    next(i) {
      const reader = tokens[i % readers] as { id: string; token: string };
      const key = dataset.publishableKeys[calls++ % dataset.publishableKeys.length] as string;
      return {
        method: "GET",
        path: `/trpc/profile.get?input=${encodeURIComponent(JSON.stringify({ profileId: reader.id }))}`,
        headers: { Authorization: `Bearer ${key}`, "X-Lapse-Profile-Token": reader.token },
      };
    },
  };
}

export interface ReadFigures {
  reads: LoadResult & { cpu: Cpu };
  /** One connection: the latency (and CPU) of a call that waits for no other. */
  alone: LoadResult & { cpu: Cpu };
  healthz: LoadResult & { cpu: Cpu };
  healthzAlone: LoadResult;
}

export async function measureReads(
  bench: Bench,
  server: BenchServer,
  dataset: Dataset,
  reader: Reader,
): Promise<ReadFigures> {
  const { opts } = bench;
  const healthzRequest = (): LoadRequest => ({ method: "GET", path: "/healthz", headers: {} });
  const shortSeconds = Math.max(2, opts.readSeconds / 3);
  await runLoad({
    url: server.url,
    connections: opts.readConnections,
    requests: 500,
    seconds: 30,
    next: reader.next,
  });
  const [alone, aloneCpu] = await withCpu(server, () =>
    runLoad({
      url: server.url,
      connections: 1,
      requests: 1000,
      seconds: shortSeconds,
      next: reader.next,
    }),
  );
  const [reads, readsCpu] = await withCpu(server, () =>
    runLoad({
      url: server.url,
      connections: opts.readConnections,
      requests: dataset.publishableKeys.length * CALLS_PER_KEY - reader.calls() - 100,
      seconds: opts.readSeconds,
      next: reader.next,
    }),
  );
  bench.log(
    `profile.get: ${fmt(reads.perSecond)} req/s, p50 ${fmt(reads.p50, 1)} ms, p99 ${fmt(reads.p99, 1)} ms, non-200 ${JSON.stringify(reads.failures)}`,
  );
  const [healthz, healthzCpu] = await withCpu(server, () =>
    runLoad({
      url: server.url,
      connections: opts.readConnections,
      requests: 100_000,
      seconds: Math.max(3, opts.readSeconds / 3),
      next: healthzRequest,
    }),
  );
  bench.log(
    `/healthz: ${fmt(healthz.perSecond)} req/s, p50 ${fmt(healthz.p50, 1)} ms, p99 ${fmt(healthz.p99, 1)} ms`,
  );
  const healthzAlone = await runLoad({
    url: server.url,
    connections: 1,
    requests: 1000,
    seconds: shortSeconds,
    next: healthzRequest,
  });
  return {
    reads: { ...reads, cpu: readsCpu },
    alone: { ...alone, cpu: aloneCpu },
    healthz: { ...healthz, cpu: healthzCpu },
    healthzAlone,
  };
}
