/**
 * The nightly cron fired through the Worker's real `scheduled` entry point with
 * `scheduledTime = T` (never the wall clock), and its queue consumer.
 */
import { createExecutionContext, createScheduledController } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { expect } from "vitest";
import worker from "../../src/index.ts";
import type { ExpiryMessage } from "../../src/services/expiry/index.ts";
import { dayName, nightOf } from "./time.ts";

/** The Worker's handlers, typed as the runtime calls them (with an ExecutionContext). */
export const handlers = worker as Required<
  Pick<ExportedHandler<Env, ExpiryMessage>, "scheduled" | "queue">
>;

async function lastRunRowid(): Promise<number> {
  const row = await env.DB.prepare("SELECT max(rowid) AS id FROM expiry_run").first<{
    id: number | null;
  }>();
  return row?.id ?? 0;
}

/**
 * Fires the cron through the Worker's real `scheduled` handler at `scheduledTime` and returns
 * the id of the run it recorded, or null when it did not start (another run held the lease).
 */
export async function fireCron(scheduledTime: number): Promise<string | null> {
  const before = await lastRunRowid();
  await handlers.scheduled(
    createScheduledController({ scheduledTime, cron: "0 2 * * *" }),
    env,
    createExecutionContext(),
  );
  const row = await env.DB.prepare(
    "SELECT id FROM expiry_run WHERE rowid > ? AND trigger = 'cron' ORDER BY rowid DESC LIMIT 1",
  )
    .bind(before)
    .first<{ id: string }>();
  return row?.id ?? null;
}

/** Fires the cron at 02:00 on an epoch day and asserts that it started and succeeded. */
export async function nightlyRun(epochDay: number): Promise<string> {
  const runId = await fireCron(nightOf(epochDay));
  expect(runId, `the cron of ${dayName(epochDay)} did not start`).not.toBeNull();
  const row = await env.DB.prepare("SELECT status, error FROM expiry_run WHERE id = ?")
    .bind(runId)
    .first<{ status: string; error: string | null }>();
  expect(row, `run ${runId}`).toMatchObject({ status: "succeeded" });
  return runId as string;
}
