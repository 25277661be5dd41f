import type { ServiceContext } from "../context";
import { loadConsents } from "./load";
import { consentView } from "./view";

export async function list({
  ctx,
  input,
}: {
  ctx: ServiceContext;
  input: { includeArchived?: boolean | undefined };
}) {
  const consents = await loadConsents(ctx, { includeArchived: input.includeArchived ?? false });
  return consents.map(consentView);
}
