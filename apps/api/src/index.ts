import { createApp } from "./http/app";

const app = createApp();

export default {
  fetch: app.fetch,
  // The nightly expiry (R10) is wired here by the expiry work; until then the trigger is a no-op.
  async scheduled() {},
} satisfies ExportedHandler<Env>;
