import { CONSUMER_BUDGET_MS, fanOutOf, queueFanOut, runContext } from "./expiry-runtime";
import { createApp } from "./http/app";
import { consumeExpiryMessage, recordDeadLetter } from "./services/expiry/consume";
import { type ExpiryMessage, runExpiry } from "./services/expiry/run-nightly";

const app = createApp();

export default {
  fetch: app.fetch,

  /** The nightly expiry (R10) with T = the cron's scheduledTime, never the wall clock. */
  async scheduled(controller, env) {
    const outcome = await runExpiry(runContext(env), {
      scheduledAt: controller.scheduledTime,
      trigger: "cron",
      fanOut: fanOutOf(env),
    });
    if (!outcome.started) console.warn(outcome.reason);
    else if (outcome.status === "failed") throw new Error(`Expiry run ${outcome.runId} failed.`);
  },

  /** The fan-out consumer, and the dead-letter queue that marks exhausted work failed. */
  async queue(batch, env) {
    const rc = runContext(env);
    for (const message of batch.messages) {
      if (batch.queue.endsWith("-dlq")) {
        await recordDeadLetter(rc, message.body, "Gave up after the queue's retries.");
        message.ack();
        continue;
      }
      try {
        await consumeExpiryMessage(rc, message.body, {
          deadline: rc.clock() + CONSUMER_BUDGET_MS,
          fanOut: queueFanOut(env.EXPIRY_QUEUE),
        });
        message.ack();
      } catch (error) {
        console.error(`expiry message for ${message.body.consentId} failed`, error);
        message.retry();
      }
    }
  },
} satisfies ExportedHandler<Env, ExpiryMessage>;
