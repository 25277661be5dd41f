import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/http/app.ts";
import { appRouter } from "../../src/trpc/router.ts";
import { createTenant, DEMO_CONSENTS, insertKey, type TestTenant } from "../support/factories.ts";
import {
  BOUNDARY_DATES,
  mutated,
  type RawRequest,
  rawRequests,
  toJson,
  validInputs,
} from "../support/fuzz-arbitraries.ts";
import { expectOk, mutate, query, send } from "../support/http.ts";
import { type TenantIds, tenantRows } from "../support/matrix-rows.ts";
import { profileToken } from "../support/tokens.ts";

/**
 * Input fuzzing: every procedure's input, valid and mutated, and raw requests the JSON
 * layer must refuse, over HTTP through the Worker's fetch. Invariants: never a 5xx; every
 * refusal is a JSON envelope carrying the request id; a refused call writes nothing; a query
 * writes nothing at all.
 *
 * The app is the Worker's own (`createApp`, what src/index.ts serves) with the rate limiter
 * let through: ten thousand calls would otherwise spend the key's budget (abuse.test.ts tests
 * the limiter).
 */

/** Valid inputs per procedure, then mutated ones, then raw requests: ≥ 10,000 in all. */
const VALID_RUNS = 40;
const MUTATED_RUNS = 330;
const RAW_RUNS = 1_000;
const MIN_TOTAL = 10_000;
/** Calls refused by the input schema are checked for writes in groups of this size. */
const GROUP = 50;

const app = createApp({ rateLimiter: () => ({ allow: async () => true }) });

type Procedure = {
  _def: { type: string; inputs?: { safeParse(value: unknown): { success: boolean } }[] };
};
const procedures = appRouter._def.procedures as unknown as Record<string, Procedure>;
const paths = Object.keys(procedures).sort();
const typeOf = (path: string): "query" | "mutation" =>
  procedures[path]?._def.type === "query" ? "query" : "mutation";

const stats = {
  inputs: 0,
  status2xx: 0,
  status4xx: 0,
  status5xx: 0,
  /** Refused calls whose tenant rows were compared before/after (singly or in a group). */
  refusalsChecked: 0,
  rowsChangedOnRefusal: 0,
  /** Mutations refused for their content type (415, answered by the Hono envelope). */
  unsupportedMediaType: 0,
};

/** What the server's own input parsers say, run here on the same JSON. */
function schemaAccepts(path: string, json: string | undefined): boolean {
  let value: unknown;
  try {
    value = json === undefined ? undefined : JSON.parse(json);
  } catch {
    return false;
  }
  return (procedures[path]?._def.inputs ?? []).every((parser) => parser.safeParse(value).success);
}

const REQUEST_ID = /^req_[0-9a-z]{20}$/;

/** The invariants every answer keeps; returns the problem, or null. */
async function inspect(response: Response): Promise<string | null> {
  stats.inputs += 1;
  const status = response.status;
  if (status >= 500) {
    stats.status5xx += 1;
  } else if (status >= 400) {
    stats.status4xx += 1;
  } else {
    stats.status2xx += 1;
  }
  const text = await response.text();
  if (status >= 500) {
    return `a ${status}: ${text.slice(0, 300)}`;
  }
  const requestId = response.headers.get("X-Request-Id") ?? "";
  if (!REQUEST_ID.test(requestId)) {
    return "no X-Request-Id header";
  }
  if (response.headers.get("X-Content-Type-Options") !== "nosniff") {
    return "no nosniff header";
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return `a ${status} whose body is not JSON: ${text.slice(0, 200)}`;
  }
  if (status < 300) {
    return null;
  }
  if (status === 415) {
    stats.unsupportedMediaType += 1;
  }
  const errors = Array.isArray(body) ? body : [body];
  for (const item of errors as Record<string, unknown>[]) {
    const error = item.error as { data?: { requestId?: unknown } } | undefined;
    const id = error ? error.data?.requestId : "result" in item ? requestId : item.requestId;
    if (id !== requestId) {
      return `a ${status} whose envelope has requestId ${String(id)}: ${text.slice(0, 200)}`;
    }
  }
  return null;
}

/**
 * Proves refused calls write nothing, with as few dumps of the tenant as that takes: a call
 * that cannot write (a query, or an input the schema refuses) joins a group checked at once;
 * a call that may write is checked alone when refused.
 */
class WriteCheck {
  private clean: string | undefined;
  private group: string[] = [];

  constructor(private readonly tenantId: string) {}

  private async baseline(): Promise<string> {
    this.clean ??= await tenantRows(this.tenantId);
    return this.clean;
  }

  async flush(): Promise<void> {
    if (this.group.length === 0) {
      return;
    }
    const before = await this.baseline();
    const rows = await tenantRows(this.tenantId);
    const group = this.group;
    this.group = [];
    stats.refusalsChecked += group.length;
    if (rows !== before) {
      stats.rowsChangedOnRefusal += 1;
      throw new Error(`One of these calls, which cannot write, wrote:\n${group.join("\n")}`);
    }
  }

  /** A call that must write nothing, whatever it answers. */
  async inert(label: string, run: () => Promise<Response>): Promise<Response> {
    await this.baseline();
    const response = await run();
    this.group.push(label);
    if (this.group.length >= GROUP) {
      await this.flush();
    }
    return response;
  }

  /** A call that may write if it succeeds, and must not if refused. */
  async mayWrite(label: string, run: () => Promise<Response>): Promise<Response> {
    await this.flush();
    const before = await this.baseline();
    const response = await run();
    if (response.status < 300) {
      this.clean = undefined;
      return response;
    }
    stats.refusalsChecked += 1;
    if ((await tenantRows(this.tenantId)) !== before) {
      stats.rowsChangedOnRefusal += 1;
      throw new Error(`A refused call (${response.status}) wrote: ${label}`);
    }
    return response;
  }
}

interface Fixture {
  tenant: TestTenant;
  ids: TenantIds & { consents: string[] };
  token: string;
  check: WriteCheck;
}

/** A tenant with a profile, a run and a spare key, for one procedure's inputs. */
async function fixture(): Promise<Fixture> {
  // On both data shards (SPEC §6): every fuzzed call runs the sharded path.
  const tenant = await createTenant({ consents: DEMO_CONSENTS, shards: 2 });
  const profileId = `p-${crypto.randomUUID()}`;
  expectOk(
    await mutate(
      "profile.update",
      { profileId, changes: [{ consent: "newsletter", status: "accepted" }] },
      { key: tenant.secretKey, app },
    ),
  );
  const run = expectOk(
    await mutate<{ id: string }>("admin.runs.trigger", undefined, { key: tenant.secretKey, app }),
  );
  const spare = await insertKey(tenant, { kind: "publishable" });
  return {
    tenant,
    ids: {
      profileId,
      consent: "newsletter",
      consents: DEMO_CONSENTS.map((c) => c.key),
      keyId: spare.id,
      runId: run.id,
    },
    token: await profileToken(tenant, profileId),
    check: new WriteCheck(tenant.tenantId),
  };
}

function request(
  path: string,
  type: "query" | "mutation",
  json: string | undefined,
  headers: Record<string, string>,
): Request {
  if (type === "query") {
    const search = json === undefined ? "" : `?input=${encodeURIComponent(json)}`;
    return new Request(`https://api.test/trpc/${path}${search}`, { headers });
  }
  return new Request(`https://api.test/trpc/${path}`, {
    method: "POST",
    headers: { ...headers, "Content-Type": "application/json" },
    ...(json === undefined ? {} : { body: json }),
  });
}

/**
 * Text safe to report: lone surrogates (sent on purpose, or left by cutting a pair) written as
 * \uXXXX, since vitest's worker channel refuses text that is not well-formed.
 */
function printable(text: string): string {
  return text.replace(
    /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g,
    (unit) => `\\u${unit.charCodeAt(0).toString(16)}`,
  );
}

/**
 * At most 300 characters of an input, copied: a slice would keep the whole (up to megabytes)
 * string alive while the label waits in a group.
 */
function preview(json: string | undefined): string {
  if (json === undefined) {
    return "(no input)";
  }
  const head = printable(Array.from(json.slice(0, 300)).join(""));
  return json.length > 300 ? `${head}… (${json.length} chars)` : head;
}

/**
 * fc.assert, with a report of bounded size: a counterexample may hold half a megabyte, which
 * would not fit in vitest's messages.
 */
async function check<T>(property: fc.IAsyncProperty<T>, numRuns: number): Promise<void> {
  const details = await fc.check(property, { numRuns });
  if (!details.failed) {
    return;
  }
  const cause =
    details.errorInstance instanceof Error
      ? details.errorInstance.message
      : String(details.errorInstance);
  throw new Error(
    `Property failed after ${details.numRuns} runs (seed ${details.seed}, path "${details.counterexamplePath}"):\n` +
      `${printable(cause.slice(0, 4_000))}\ncounterexample: ${preview(fc.stringify(details.counterexample))}`,
  );
}

/** Sends one input and checks every invariant; throws (for fast-check) on the first broken. */
async function tryInput(
  f: Fixture,
  path: string,
  input: unknown,
  asCustomer: boolean,
): Promise<void> {
  const type = typeOf(path);
  const json = toJson(input);
  const headers: Record<string, string> = asCustomer
    ? { Authorization: `Bearer ${f.tenant.publishableKey}`, "X-Lapse-Profile-Token": f.token }
    : { Authorization: `Bearer ${f.tenant.secretKey}` };
  const accepted = schemaAccepts(path, json);
  const label = `${type} ${path} ${asCustomer ? "(customer) " : ""}${preview(json)}`;
  const run = () => send(request(path, type, json, headers), app);
  const response =
    type === "query" || !accepted
      ? await f.check.inert(label, run)
      : await f.check.mayWrite(label, run);
  const problem = await inspect(response);
  if (problem) {
    throw new Error(`${label}\n→ ${problem}`);
  }
  if (!accepted && response.status < 300) {
    throw new Error(`${label}\n→ a ${response.status} for an input the schema refuses`);
  }
}

async function tryRaw(f: Fixture, raw: RawRequest): Promise<void> {
  const headers: Record<string, string> = { Authorization: `Bearer ${f.tenant.secretKey}` };
  if (raw.contentType !== undefined) {
    headers["Content-Type"] = raw.contentType;
  }
  const req = new Request(`https://api.test/trpc/${raw.path}${raw.search ?? ""}`, {
    method: raw.method,
    headers,
    ...(raw.body === undefined ? {} : { body: raw.body }),
  });
  const bodyText =
    typeof raw.body === "string" ? raw.body : raw.body ? `<${raw.body.length} bytes>` : "";
  const label = `${raw.label}: ${raw.method} /trpc/${raw.path}${raw.search ?? ""} ${raw.contentType ?? "(no type)"} ${preview(bodyText)}`;
  const run = () => send(req, app);
  // Only a POST naming a mutation can write; anything else (a GET, a query, an odd path) must
  // not, whatever it answers.
  const namesMutation = raw.path
    .split(",")
    .some((path) => procedures[path]?._def.type === "mutation");
  const response =
    raw.method === "POST" && namesMutation
      ? await f.check.mayWrite(label, run)
      : await f.check.inert(label, run);
  const problem = await inspect(response);
  if (problem) {
    throw new Error(`${label}\n→ ${problem}`);
  }
}

describe("input fuzzing over HTTP", () => {
  it("every procedure of the router has an input arbitrary", () => {
    const arbitraries = validInputs({
      profileId: "p",
      consent: "c",
      consents: ["c"],
      keyId: "k",
      runId: "r",
    });
    expect(paths.filter((path) => !(path in arbitraries))).toEqual([]);
  });

  for (const path of paths) {
    it(`${path}: ${VALID_RUNS} valid and ${MUTATED_RUNS} mutated inputs`, async () => {
      const f = await fixture();
      const valid = validInputs(f.ids)[path];
      if (!valid) {
        throw new Error(`No input arbitrary for '${path}' in fuzz-arbitraries.ts.`);
      }
      // Profile procedures are also reached by a customer: publishable key and profile token.
      const asCustomer = path.startsWith("profile.") ? fc.boolean() : fc.constant(false);
      await check(
        fc.asyncProperty(valid, asCustomer, (input, customer) =>
          tryInput(f, path, input, customer),
        ),
        VALID_RUNS,
      );
      await check(
        fc.asyncProperty(mutated(valid), asCustomer, (input, customer) =>
          tryInput(f, path, input, customer),
        ),
        MUTATED_RUNS,
      );
      await f.check.flush();
    }, 120_000);
  }

  it(`${RAW_RUNS} raw requests: malformed JSON, wrong content types and methods, odd paths`, async () => {
    const f = await fixture();
    const arbitraries = validInputs(f.ids);
    const targets = paths.flatMap((path) => {
      const valid = arbitraries[path];
      return valid ? [{ path, type: typeOf(path), valid }] : [];
    });
    await check(
      fc.asyncProperty(rawRequests(targets), (raw) => tryRaw(f, raw)),
      RAW_RUNS,
    );
    await f.check.flush();
  }, 120_000);

  it("boundary instants: each is refused or accepted whole, never a 5xx", async () => {
    const f = await fixture();
    for (const at of BOUNDARY_DATES) {
      const inputs: [string, unknown][] = [
        [
          "events.track",
          { events: [{ profileId: f.ids.profileId, type: "email_clicked", occurredAt: at }] },
        ],
        [
          "admin.profiles.import",
          { items: [{ profileId: `p-${at}`, consent: "sms", status: "accepted", changedAt: at }] },
        ],
        ["admin.runs.trigger", { asOf: at }],
        ["admin.keys.create", { kind: "publishable", name: "boundary", expiresAt: at }],
      ];
      for (const [path, input] of inputs) {
        await tryInput(f, path, input, false);
      }
    }
    await f.check.flush();
  }, 60_000);

  // BUG (reported): ProfileId and the free texts (titles, descriptions, key names) accept
  // strings that are not well-formed UTF-16. D1 keeps text as UTF-8: a lone surrogate such as
  // "\ud800" is stored as the bytes ED A0 80 and read back as three U+FFFD. The proof then
  // lies: the change feed shows another profile id than the one written (and two profiles,
  // "\ud800" and "\ud801", as the same one), and admin.profiles.verify reports the untouched
  // trail as edited, since the hash covered the id as sent. Expected: such strings refused
  // with a 400 (e.g. `.refine((s) => s.isWellFormed())`), or kept exactly.
  it("a profile id with a lone surrogate is refused, or kept and proven as sent", async () => {
    const f = await fixture();
    const key = f.tenant.secretKey;
    const profileId = "\ud800";
    const update = await mutate(
      "profile.update",
      { profileId, changes: [{ consent: "sms", status: "accepted" }] },
      { key, app },
    );
    if (update.status === 400) {
      return;
    }
    expectOk(update);
    const verify = expectOk(
      await query<{ ok: boolean }>("admin.profiles.verify", { profileId }, { key, app }),
    );
    expect(verify.ok).toBe(true);
    const feed = expectOk(
      await query<{ items: { profileId: string }[] }>("admin.changes.list", undefined, {
        key,
        app,
      }),
    );
    // Booleans only: a lone surrogate in an assertion message breaks vitest's reporting.
    expect(feed.items.some((item) => item.profileId === profileId)).toBe(true);
  });

  it("a consent title with a lone surrogate is refused, or kept as sent", async () => {
    const f = await fixture();
    const title = "Offers \udc00";
    const result = await mutate(
      "admin.consents.update",
      { key: "sms", title },
      { key: f.tenant.secretKey, app },
    );
    if (result.status === 400) {
      return;
    }
    const catalog = expectOk(
      await query<{ key: string; title: string }[]>("catalog.list", undefined, {
        key: f.tenant.secretKey,
        app,
      }),
    );
    expect(catalog.find((c) => c.key === "sms")?.title === title).toBe(true);
  });

  it(`tried at least ${MIN_TOTAL.toLocaleString("en")} inputs, no 5xx, no write on refusal`, () => {
    expect(stats.inputs).toBeGreaterThanOrEqual(MIN_TOTAL);
    expect(stats.status5xx).toBe(0);
    expect(stats.rowsChangedOnRefusal).toBe(0);
  });

  afterAll(() => {
    console.log(
      `fuzz: ${stats.inputs} inputs over HTTP — 2xx ${stats.status2xx}, 4xx ${stats.status4xx}, ` +
        `5xx ${stats.status5xx}; refused calls checked for writes ${stats.refusalsChecked}, ` +
        `rows changed on refusal ${stats.rowsChangedOnRefusal}; 415 for content type ${stats.unsupportedMediaType}`,
    );
  });
});
