// A bounded HTTP load generator for 127.0.0.1: `connections` keep-alive sockets, each sending
// its next request as soon as the previous answer is read, until `requests` were sent or
// `seconds` have passed. Latency is measured per request, from write to the end of the body.
import { Agent, request as httpRequest } from "node:http";

export interface LoadRequest {
  method: "GET" | "POST";
  path: string;
  headers: Record<string, string>;
  body?: string;
}

export interface LoadResult {
  requests: number;
  /** Answers other than 200, by status. */
  failures: Record<string, number>;
  seconds: number;
  perSecond: number;
  p50: number;
  p99: number;
  max: number;
  /** Each 200 answer's body and headers, when asked for (small runs only). */
  answers: { body: string; headers: Record<string, string | string[] | undefined> }[];
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) {
    return Number.NaN;
  }
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

function send(
  agent: Agent,
  base: URL,
  req: LoadRequest,
): Promise<{
  status: number;
  body: string;
  headers: Record<string, string | string[] | undefined>;
}> {
  return new Promise((resolve, reject) => {
    const r = httpRequest(
      {
        agent,
        host: base.hostname,
        port: base.port,
        method: req.method,
        path: req.path,
        headers: {
          ...req.headers,
          ...(req.body === undefined
            ? {}
            : {
                "Content-Type": "application/json",
                "Content-Length": Buffer.byteLength(req.body),
              }),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            body: Buffer.concat(chunks).toString(),
            headers: res.headers,
          }),
        );
        res.on("error", reject);
      },
    );
    r.on("error", reject);
    r.setTimeout(60_000, () => r.destroy(new Error("request timed out after 60 s")));
    if (req.body !== undefined) {
      r.write(req.body);
    }
    r.end();
  });
}

export async function runLoad(options: {
  url: string;
  connections: number;
  /** At most this many requests… */
  requests: number;
  /** …and for at most this long. */
  seconds: number;
  next: (i: number) => LoadRequest;
  keepAnswers?: boolean;
}): Promise<LoadResult> {
  const base = new URL(options.url);
  if (base.hostname !== "127.0.0.1") {
    throw new Error("Load goes to 127.0.0.1 only.");
  }
  const agent = new Agent({ keepAlive: true, maxSockets: options.connections });
  const latencies: number[] = [];
  const failures: Record<string, number> = {};
  const answers: LoadResult["answers"] = [];
  let issued = 0;
  const started = performance.now();
  const deadline = started + options.seconds * 1000;
  const loop = async () => {
    while (issued < options.requests && performance.now() < deadline) {
      const req = options.next(issued++);
      const t0 = performance.now();
      const res = await send(agent, base, req);
      latencies.push(performance.now() - t0);
      if (res.status !== 200) {
        failures[res.status] = (failures[res.status] ?? 0) + 1;
        if (Object.keys(failures).length === 1 && failures[res.status] === 1) {
          console.warn(`  first failure (${res.status}): ${res.body.slice(0, 300)}`);
        }
      } else if (options.keepAnswers) {
        answers.push({ body: res.body, headers: res.headers });
      }
    }
  };
  await Promise.all(Array.from({ length: options.connections }, loop));
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return {
    requests: latencies.length,
    failures,
    seconds,
    perSecond: latencies.length / seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    max: latencies.at(-1) ?? Number.NaN,
    answers,
  };
}
