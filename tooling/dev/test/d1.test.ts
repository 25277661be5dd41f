import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CLOUDFLARE_API,
  localD1File,
  openLocalD1,
  openLocalD1File,
  persistPath,
  remoteD1,
  remoteD1FromConfig,
} from "../src/d1.ts";
import { applyMigrations } from "../src/wrangler.ts";

const made: string[] = [];
afterAll(() => {
  for (const dir of made) {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** A Worker of the test's own: a config with D1 bindings (DB, then `more`) and one migration. */
function workerDir(databaseId: string, more: { binding: string; id: string }[] = []): string {
  const dir = mkdtempSync(path.join(tmpdir(), "lapse-dev-d1-"));
  made.push(dir);
  mkdirSync(path.join(dir, "migrations"));
  writeFileSync(
    path.join(dir, "migrations", "0000_note.sql"),
    "CREATE TABLE note (id TEXT PRIMARY KEY, body TEXT NOT NULL, n INTEGER, gone INTEGER);\n",
  );
  writeFileSync(
    path.join(dir, "wrangler.jsonc"),
    JSON.stringify({
      name: "dev-d1-test",
      main: "worker.js",
      compatibility_date: "2026-10-01",
      d1_databases: [
        {
          binding: "DB",
          database_name: "t",
          database_id: databaseId,
          migrations_dir: "migrations",
        },
        ...more.map((m) => ({
          binding: m.binding,
          database_name: m.binding.toLowerCase(),
          database_id: m.id,
          migrations_dir: "migrations",
        })),
      ],
    }),
  );
  writeFileSync(path.join(dir, "worker.js"), "export default { fetch: () => new Response('') };\n");
  return dir;
}

/** A fetch that records what it was asked and answers like the D1 API. */
function recordingFetch(answer: { status: number; body: unknown }) {
  const calls: { url: string; init: RequestInit }[] = [];
  const fetchImpl = (async (url: string, init: RequestInit) => {
    calls.push({ url, init });
    return new Response(JSON.stringify(answer.body), { status: answer.status });
  }) as unknown as typeof fetch;
  return { calls, fetchImpl };
}

describe("persistPath", () => {
  it("is the v3 directory under --persist-to, or under the config's .wrangler/state", () => {
    expect(persistPath("/w/api/wrangler.jsonc", "/tmp/state")).toBe("/tmp/state/v3");
    expect(persistPath("/w/api/wrangler.jsonc")).toBe("/w/api/.wrangler/state/v3");
  });
});

describe("openLocalD1", () => {
  let dir: string;
  beforeAll(() => {
    dir = workerDir("00000000-0000-0000-0000-000000000001");
  });

  it("reads and writes the D1 that wrangler migrated, through bound parameters", async () => {
    const config = path.join(dir, "wrangler.jsonc");
    const persistTo = path.join(dir, "state");
    await applyMigrations({ config, persistTo });
    const db = await openLocalD1({ config, persistTo });
    try {
      const rows = [
        { id: "a", body: "O'Brien; DROP TABLE note; --", n: 1, gone: null },
        { id: "b", body: 'quote " and \\ backslash', n: 2, gone: 0 },
      ];
      await db.batch([
        {
          sql: `INSERT INTO note (id, body, n, gone)
            SELECT value ->> 'id', value ->> 'body', value ->> 'n', value ->> 'gone' FROM json_each(?)`,
          params: [JSON.stringify(rows)],
        },
        { sql: "INSERT INTO note (id, body, n) VALUES (?1, ?2, ?3)", params: ["c", "plain", 3] },
      ]);
      expect(
        await db.all({
          sql: "SELECT id, body, n, gone FROM note WHERE n >= ?1 ORDER BY id",
          params: [1],
        }),
      ).toEqual([...rows, { id: "c", body: "plain", n: 3, gone: null }]);
    } finally {
      await db.close();
    }
  }, 60_000);

  it("runs a batch as one transaction: a failing statement leaves nothing", async () => {
    const config = path.join(dir, "wrangler.jsonc");
    const db = await openLocalD1({ config, persistTo: path.join(dir, "state") });
    try {
      await expect(
        db.batch([
          { sql: "INSERT INTO note (id, body) VALUES (?1, ?2)", params: ["d", "kept?"] },
          { sql: "INSERT INTO note (id, body) VALUES (?1, ?2)", params: ["a", "duplicate"] },
        ]),
      ).rejects.toThrow();
      expect(await db.all({ sql: "SELECT id FROM note WHERE id = ?1", params: ["d"] })).toEqual([]);
    } finally {
      await db.close();
    }
  }, 60_000);
});

describe("several D1 bindings (a control plane and its shards)", () => {
  it("migrates every binding and opens each one's own file", async () => {
    const dir = workerDir("00000000-0000-0000-0000-000000000003", [
      { binding: "SHARD_0", id: "00000000-0000-0000-0000-000000000004" },
    ]);
    const config = path.join(dir, "wrangler.jsonc");
    const persistTo = path.join(dir, "state");
    await applyMigrations({ config, persistTo });
    const shard = await openLocalD1({ config, persistTo, binding: "SHARD_0" });
    try {
      await shard.batch([
        { sql: "INSERT INTO note (id, body) VALUES (?1, ?2)", params: ["s", "on the shard"] },
      ]);
    } finally {
      await shard.close();
    }
    // The file of each binding: the shard's row is in the shard's file only.
    expect(localD1File(config, persistTo, "SHARD_0")).not.toBe(localD1File(config, persistTo));
    for (const [binding, rows] of [
      ["SHARD_0", [{ id: "s" }]],
      ["DB", []],
    ] as const) {
      const db = openLocalD1File({ config, persistTo, binding });
      try {
        expect(await db.all({ sql: "SELECT id FROM note", params: [] })).toEqual(rows);
      } finally {
        await db.close();
      }
    }
  }, 60_000);
});

describe("openLocalD1File", () => {
  let dir: string;
  let config: string;
  let persistTo: string;
  beforeAll(async () => {
    dir = workerDir("00000000-0000-0000-0000-000000000002");
    config = path.join(dir, "wrangler.jsonc");
    persistTo = path.join(dir, "state");
    await applyMigrations({ config, persistTo });
    const binding = await openLocalD1({ config, persistTo });
    try {
      await binding.batch([
        { sql: "INSERT INTO note (id, body, n) VALUES (?1, ?2, ?3)", params: ["a", "O'Brien", 1] },
        { sql: "INSERT INTO note (id, body, n) VALUES (?1, ?2, ?3)", params: ["b", "two", 2] },
      ]);
    } finally {
      await binding.close();
    }
  }, 60_000);

  it("reads in process the same rows the binding wrote, with bound parameters", async () => {
    const db = openLocalD1File({ config, persistTo });
    try {
      expect(
        await db.all({
          sql: "SELECT id, body, n FROM note WHERE n >= CAST(?1 AS INTEGER) ORDER BY id",
          params: ["1"],
        }),
      ).toEqual([
        { id: "a", body: "O'Brien", n: 1 },
        { id: "b", body: "two", n: 2 },
      ]);
    } finally {
      await db.close();
    }
  });

  it("runs a batch as one transaction: a failing statement leaves nothing", async () => {
    const db = openLocalD1File({ config, persistTo });
    try {
      await expect(
        db.batch([
          { sql: "INSERT INTO note (id, body) VALUES (?1, ?2)", params: ["d", "kept?"] },
          { sql: "INSERT INTO note (id, body) VALUES (?1, ?2)", params: ["a", "duplicate"] },
        ]),
      ).rejects.toThrow(/UNIQUE/);
      expect(await db.all({ sql: "SELECT id FROM note WHERE id = ?1", params: ["d"] })).toEqual([]);
    } finally {
      await db.close();
    }
  });

  it("says where it looked when there is no local D1 yet", () => {
    expect(() => openLocalD1File({ config, persistTo: path.join(dir, "nowhere") })).toThrow(
      /No local D1 in .*nowhere.*pnpm dev/,
    );
  });
});

describe("remoteD1", () => {
  const options = { accountId: "acc 1", apiToken: "tok", databaseId: "db-1" };

  it("posts one statement with its parameters to /query, with the token", async () => {
    const { calls, fetchImpl } = recordingFetch({
      status: 200,
      body: { success: true, errors: [], result: [{ success: true, results: [{ id: "ten_1" }] }] },
    });
    const db = remoteD1({ ...options, fetch: fetchImpl });
    const rows = await db.all({ sql: "SELECT id FROM tenant WHERE id = ?1", params: ["x'y"] });
    expect(rows).toEqual([{ id: "ten_1" }]);
    expect(calls).toHaveLength(1);
    const [call] = calls;
    expect(call?.url).toBe(`${CLOUDFLARE_API}/accounts/acc%201/d1/database/db-1/query`);
    expect(call?.init.method).toBe("POST");
    expect(call?.init.headers).toEqual({
      Authorization: "Bearer tok",
      "Content-Type": "application/json",
    });
    expect(JSON.parse(String(call?.init.body))).toEqual({
      sql: "SELECT id FROM tenant WHERE id = ?1",
      params: ["x'y"],
    });
  });

  it("sends a batch as one request of { batch: [{ sql, params }] }", async () => {
    const { calls, fetchImpl } = recordingFetch({
      status: 200,
      body: { success: true, result: [{ success: true }, { success: true }] },
    });
    const db = remoteD1({ ...options, fetch: fetchImpl });
    await db.batch([
      { sql: "INSERT INTO a SELECT * FROM json_each(?)", params: ["[1]"] },
      { sql: "INSERT INTO b VALUES (?1)", params: ["2"] },
    ]);
    await db.batch([]);
    expect(calls).toHaveLength(1);
    expect(JSON.parse(String(calls[0]?.init.body))).toEqual({
      batch: [
        { sql: "INSERT INTO a SELECT * FROM json_each(?)", params: ["[1]"] },
        { sql: "INSERT INTO b VALUES (?1)", params: ["2"] },
      ],
    });
  });

  it("throws with the API's errors when it refuses", async () => {
    const { fetchImpl } = recordingFetch({
      status: 403,
      body: { success: false, errors: [{ code: 10000, message: "Authentication error" }] },
    });
    const db = remoteD1({ ...options, fetch: fetchImpl });
    await expect(db.all({ sql: "SELECT 1", params: [] })).rejects.toThrow(
      "The D1 API answered 403: 10000 Authentication error",
    );
  });

  it("throws when a statement of the batch failed", async () => {
    const { fetchImpl } = recordingFetch({
      status: 200,
      body: { success: true, result: [{ success: true }, { success: false }] },
    });
    const db = remoteD1({ ...options, fetch: fetchImpl });
    await expect(
      db.batch([
        { sql: "SELECT 1", params: [] },
        { sql: "SELECT 2", params: [] },
      ]),
    ).rejects.toThrow("The D1 API answered 200");
  });
});

describe("remoteD1FromConfig", () => {
  const env = { CLOUDFLARE_ACCOUNT_ID: "acc", CLOUDFLARE_API_TOKEN: "tok" };

  it("needs both credentials", () => {
    const config = path.join(workerDir("6f1c0d1e-0000-4000-8000-000000000000"), "wrangler.jsonc");
    expect(() => remoteD1FromConfig({ config, env: {} })).toThrow(
      "--remote needs CLOUDFLARE_ACCOUNT_ID and CLOUDFLARE_API_TOKEN in the environment",
    );
    expect(() => remoteD1FromConfig({ config, env: { CLOUDFLARE_ACCOUNT_ID: "a" } })).toThrow(
      "--remote needs CLOUDFLARE_API_TOKEN in the environment",
    );
  });

  it("refuses the placeholder database_id", () => {
    const config = path.join(workerDir("00000000-0000-0000-0000-000000000000"), "wrangler.jsonc");
    expect(() => remoteD1FromConfig({ config, env })).toThrow("placeholder database_id");
  });

  it("queries the config's database with the environment's account and token", async () => {
    const config = path.join(workerDir("6f1c0d1e-0000-4000-8000-000000000000"), "wrangler.jsonc");
    const { calls, fetchImpl } = recordingFetch({
      status: 200,
      body: { success: true, result: [{ success: true, results: [] }] },
    });
    const db = remoteD1FromConfig({ config, env }, fetchImpl);
    expect(db.description).toBe("the remote D1 6f1c0d1e-0000-4000-8000-000000000000");
    await db.all({ sql: "SELECT 1", params: [] });
    expect(calls[0]?.url).toBe(
      `${CLOUDFLARE_API}/accounts/acc/d1/database/6f1c0d1e-0000-4000-8000-000000000000/query`,
    );
    expect(calls[0]?.init.headers).toMatchObject({ Authorization: "Bearer tok" });
  });
});
