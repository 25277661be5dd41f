import { eq } from "drizzle-orm";
import { z } from "zod";
import { tenant } from "../../db/schema.ts";
import type { ServiceCall } from "../context.ts";

/** The tenant's settings as the API shows them. */
export interface TenantSettings {
  /**
   * R5: a click (`email_clicked`, `sms_clicked`) less than this many seconds after its message
   * was sent (the event's `sentAt`) is a mail scanner's and is ignored; 0 switches it off.
   */
  minSecondsAfterSend: number;
}

export const GetSettingsInput = z.strictObject({}).optional();
export type GetSettingsInput = z.infer<typeof GetSettingsInput>;

export const UpdateSettingsInput = z.strictObject({
  minSecondsAfterSend: z.number().int().min(0).max(3600),
});
export type UpdateSettingsInput = z.infer<typeof UpdateSettingsInput>;

export async function getSettings({ ctx }: ServiceCall<GetSettingsInput>): Promise<TenantSettings> {
  const [row] = await ctx.db
    .select({ minSecondsAfterSend: tenant.minSecondsAfterSend })
    .from(tenant)
    .where(eq(tenant.id, ctx.tenantId));
  return { minSecondsAfterSend: row?.minSecondsAfterSend ?? 10 };
}

export async function updateSettings({
  ctx,
  input,
}: ServiceCall<UpdateSettingsInput>): Promise<TenantSettings> {
  await ctx.db
    .update(tenant)
    .set({ minSecondsAfterSend: input.minSecondsAfterSend })
    .where(eq(tenant.id, ctx.tenantId));
  return { minSecondsAfterSend: input.minSecondsAfterSend };
}
