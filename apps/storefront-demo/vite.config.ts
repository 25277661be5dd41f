import path from "node:path";
import { defineConfig } from "vite";
import { demoBackend } from "./server/demo-backend.ts";

// `pnpm dev` defaults: the API on :8787 and the tenant it seeds. The e2e harness points both
// at its own API and tenant.
const apiUrl = process.env.LAPSE_API_URL ?? "http://localhost:8787";
const tenantFile =
  process.env.LAPSE_DEMO_TENANT_FILE ??
  path.join(import.meta.dirname, "../api/.dev/demo-tenant.json");

export default defineConfig({
  plugins: [demoBackend({ apiUrl, tenantFile })],
  server: { warmup: { clientFiles: ["./src/main.ts"] } },
});
