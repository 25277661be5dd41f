import { onQueueBatch } from "./cron/queue.ts";
import { expiryRuntimeCache } from "./cron/runtime.ts";
import { onScheduled } from "./cron/scheduled.ts";
import { createApp } from "./http/app.ts";
import type { ExpiryMessage } from "./services/expiry/runtime.ts";

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
