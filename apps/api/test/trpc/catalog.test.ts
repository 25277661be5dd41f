import { describe, expect, it } from "vitest";
import type { ConsentView } from "../../src/services/consents/view.ts";
import { keyChecks } from "../support/access-checks.ts";
import { createTenant, DEMO_CONSENTS } from "../support/factories.ts";
import { expectOk, mutate, query } from "../support/http.ts";

type CatalogEntry = Omit<ConsentView, "archivedAt">;

describe("catalog.list", () => {
  it("lists the tenant's consents in key order, with their kind, texts and expiry policy", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    const list = expectOk(
      await query<CatalogEntry[]>("catalog.list", undefined, { key: tenant.secretKey }),
    );
    expect(list.map((c) => c.key)).toEqual(["newsletter", "order", "sms"]);
    expect(list.find((c) => c.key === "order")).toEqual({
      key: "order",
      kind: "legal_basis",
      title: "Customer relationship (orders)",
      description: "Legitimate interest after an order, GDPR art. 6(1)(f).",
      version: 1,
      entryEvents: ["order_placed"],
      expiry: {
        days: 1095,
        extendOn: ["order_placed", "account_upserted"],
        enabled: false,
        activatedAt: null,
        activatedOn: null,
      },
    });
  });

  it("answers the same catalogue to a publishable key (storefronts)", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    const secret = expectOk(await query("catalog.list", undefined, { key: tenant.secretKey }));
    const publishable = expectOk(
      await query("catalog.list", undefined, { key: tenant.publishableKey }),
    );
    expect(publishable).toEqual(secret);
  });

  it("leaves archived consents out", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    expectOk(await mutate("admin.consents.archive", { key: "sms" }, { key: tenant.secretKey }));
    const list = expectOk(
      await query<CatalogEntry[]>("catalog.list", undefined, { key: tenant.publishableKey }),
    );
    expect(list.map((c) => c.key)).toEqual(["newsletter", "order"]);
  });

  it("answers an empty list for a tenant without consents", async () => {
    const tenant = await createTenant();
    expect(expectOk(await query("catalog.list", undefined, { key: tenant.secretKey }))).toEqual([]);
  });

  it("R12: a key lists its own tenant's catalogue only", async () => {
    const tenant = await createTenant({
      consents: [{ key: "a-only", kind: "opt_in", title: "A", description: "", entryEvents: [] }],
    });
    const other = await createTenant({ consents: DEMO_CONSENTS });
    const list = expectOk(
      await query<CatalogEntry[]>("catalog.list", undefined, { key: other.secretKey }),
    );
    expect(list.map((c) => c.key)).toEqual(["newsletter", "order", "sms"]);
    const own = expectOk(
      await query<CatalogEntry[]>("catalog.list", undefined, { key: tenant.publishableKey }),
    );
    expect(own.map((c) => c.key)).toEqual(["a-only"]);
  });
});

keyChecks({
  path: "catalog.list",
  type: "query",
  scope: null,
  publishable: "allowed",
  input: () => undefined,
});
