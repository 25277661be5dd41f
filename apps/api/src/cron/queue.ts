import {
  consumeExpiryMessage,
  recordDeadLetter,
} from "../services/expiry/consume-expiry-message.ts";
import {
  CONSUMER_BUDGET_MS,
  type ExpiryMessage,
  queueFanOut,
  type RunContext,
} from "../services/expiry/runtime.ts";

/** The fan-out consumer, and the dead-letter queue that marks exhausted work failed. */
export async function onQueueBatch(
  batch: MessageBatch<ExpiryMessage>,
  rc: RunContext,
  queue: Queue<ExpiryMessage>,
): Promise<void> {
  for (const message of batch.messages) {
    if (batch.queue.endsWith("-dlq")) {
      await recordDeadLetter(rc, message.body, "Gave up after the queue's retries.");
      message.ack();
      continue;
    }
    try {
      await consumeExpiryMessage(rc, message.body, {
        deadline: rc.clock() + CONSUMER_BUDGET_MS,
        fanOut: queueFanOut(queue),
      });
      message.ack();
    } catch (error) {
      console.error(`expiry message for ${message.body.consentId} failed`, error);
      message.retry();
    }
  }
}
