// Imported by the Node CLI too (type stripping), hence the explicit `.ts` extensions and no
// dependency beyond the key material.
import { newId } from "../../ids.ts";
import { generateKey, generateSigningKey, SCOPES } from "../keys/material.ts";

export interface ConsentSeed {
  key: string;
  kind: "opt_in" | "legal_basis";
  title: string;
  description: string;
  entryEvents: string[];
  /** A configured policy; `enabled` also activates it at `now` (R7). */
  expiry?: { days: number; extendOn: string[]; enabled?: boolean };
}

/**
 * The demo tenant's catalogue (`pnpm dev`, the browser tests, the benchmarks): two opt-ins and
 * the seed's "order" legal basis, entered again by `order_placed`, all with expiry active.
 */
export const DEMO_CATALOGUE: ConsentSeed[] = [
  {
    key: "newsletter",
    kind: "opt_in",
    title: "Newsletter",
    description: "News and offers by email.",
    entryEvents: [],
    expiry: {
      days: 365,
      extendOn: ["email_clicked", "order_placed", "consent_accepted"],
      enabled: true,
    },
  },
  {
    key: "sms",
    kind: "opt_in",
    title: "SMS offers",
    description: "Offers by text message.",
    entryEvents: [],
    expiry: { days: 180, extendOn: ["sms_clicked", "order_placed"], enabled: true },
  },
  {
    key: "order",
    kind: "legal_basis",
    title: "Customer relationship (orders)",
    description: "Legitimate interest after an order, GDPR art. 6(1)(f).",
    entryEvents: ["order_placed"],
    expiry: { days: 1095, extendOn: ["order_placed", "account_upserted"], enabled: true },
  },
];

export interface ProvisionInput {
  name: string;
  now: number;
  corsOrigins?: string[];
  consents?: ConsentSeed[];
}

/** What the operator is shown once: none of the secrets can be read back later. */
export interface ProvisionedSecrets {
  tenantId: string;
  name: string;
  secretKey: string;
  publishableKey: string;
  signingKid: string;
  signingSecret: string;
}

function literal(value: string | number | null): string {
  if (value === null) {
    return "NULL";
  }
  if (typeof value === "number") {
    return String(value);
  }
  return `'${value.replaceAll("'", "''")}'`;
}

function insert(table: string, row: Record<string, string | number | null>): string {
  const columns = Object.keys(row).join(", ");
  const values = Object.values(row).map(literal).join(", ");
  return `INSERT INTO ${table} (${columns}) VALUES (${values});`;
}

/**
 * A new tenant as SQL statements: the tenant, one secret key with every scope, one
 * publishable key, one signing key and optional seed consents. The same statements serve the
 * CLI (`wrangler d1 execute`), `pnpm dev` and the tests.
 */
export async function provisionTenant(
  input: ProvisionInput,
): Promise<{ statements: string[]; secrets: ProvisionedSecrets }> {
  const tenantId = newId("ten");
  const secret = await generateKey("secret");
  const publishable = await generateKey("publishable");
  const signing = generateSigningKey();
  const statements = [
    insert("tenant", {
      id: tenantId,
      name: input.name,
      cors_origins: JSON.stringify(input.corsOrigins ?? []),
      created_at: input.now,
    }),
    insert("api_key", {
      id: secret.id,
      tenant_id: tenantId,
      kind: "secret",
      scopes: JSON.stringify(SCOPES),
      name: "Back end (all scopes)",
      prefix: secret.prefix,
      hash: secret.hash,
      created_at: input.now,
    }),
    insert("api_key", {
      id: publishable.id,
      tenant_id: tenantId,
      kind: "publishable",
      scopes: "[]",
      name: "Storefront",
      prefix: publishable.prefix,
      hash: publishable.hash,
      created_at: input.now,
    }),
    insert("signing_key", {
      id: signing.id,
      tenant_id: tenantId,
      secret: signing.secret,
      created_at: input.now,
    }),
    ...(input.consents ?? []).flatMap((c) => {
      const consentId = newId("con");
      return [
        insert("consent", {
          id: consentId,
          tenant_id: tenantId,
          key: c.key,
          kind: c.kind,
          title: c.title,
          description: c.description,
          version: 1,
          entry_events: JSON.stringify(c.entryEvents),
          expiry_days: c.expiry?.days ?? null,
          expiry_extend_on: JSON.stringify(c.expiry?.extendOn ?? []),
          expiry_enabled: c.expiry?.enabled ? 1 : 0,
          expiry_activated_at: c.expiry?.enabled ? input.now : null,
          created_at: input.now,
          updated_at: input.now,
        }),
        insert("consent_version", {
          tenant_id: tenantId,
          consent_id: consentId,
          version: 1,
          title: c.title,
          description: c.description,
          created_at: input.now,
        }),
      ];
    }),
  ];
  return {
    statements,
    secrets: {
      tenantId,
      name: input.name,
      secretKey: secret.plaintext,
      publishableKey: publishable.plaintext,
      signingKid: signing.id,
      signingSecret: signing.secret,
    },
  };
}
