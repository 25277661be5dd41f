// pnpm --filter @lapse/api tenant:create --name "Brand" [--cors-origin https://shop.example]… [--remote]
import { parseArgs } from "node:util";
import { provisionTenant } from "../src/services/tenants/provision.ts";
import { applyMigrations, executeSql } from "./wrangler.ts";

const { values } = parseArgs({
  options: {
    name: { type: "string" },
    "cors-origin": { type: "string", multiple: true },
    remote: { type: "boolean", default: false },
  },
});
const name = values.name?.trim();
if (!name) {
  console.error('Usage: tenant:create --name "Brand name" [--cors-origin URL]… [--remote]');
  process.exit(2);
}
for (const origin of values["cors-origin"] ?? []) {
  if (!URL.canParse(origin) || new URL(origin).origin !== origin) {
    console.error(`Not an origin: ${origin} (expected e.g. https://shop.example)`);
    process.exit(2);
  }
}

const remote = values.remote ?? false;
applyMigrations(remote);
const { statements, secrets } = await provisionTenant({
  name,
  now: Date.now(),
  corsOrigins: values["cors-origin"] ?? [],
});
executeSql(statements, remote);
console.log(
  `Tenant created in the ${remote ? "remote" : "local"} D1. Shown once — store them now:`,
);
console.log(JSON.stringify(secrets, null, 2));
