import { onQueueBatch } from "./cron/queue";
import { expiryRuntimeCache } from "./cron/runtime";
import { onScheduled } from "./cron/scheduled";
import { createApp } from "./http/app";
import type { ExpiryMessage } from "./services/expiry/runtime";

const app = createApp();
const expiryRuntime = expiryRuntimeCache();

export default {
  fetch: app.fetch,

  scheduled(controller, env) {
    return onScheduled(controller, expiryRuntime(env));
  },

  queue(batch, env) {
    return onQueueBatch(batch, expiryRuntime(env).runContext, env.EXPIRY_QUEUE);
  },
} satisfies ExportedHandler<Env, ExpiryMessage>;
