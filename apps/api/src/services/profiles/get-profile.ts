import { ProfileId } from "@lapse/consent";
import { z } from "zod";
import type { ServiceCall } from "../context.ts";
import { loadProfile } from "./states.ts";
import { profileView } from "./view.ts";

/** Names one profile: what every profile procedure's input starts with. */
export const ProfileRef = z.object({ profileId: ProfileId });

export const GetProfileInput = z.strictObject({ profileId: ProfileId });
export type GetProfileInput = z.infer<typeof GetProfileInput>;

/** Every live consent with this profile's status (R1: no state row reads as `unknown`). */
export async function getProfile({ ctx, input }: ServiceCall<GetProfileInput>) {
  const { consents, states } = await loadProfile(ctx, input.profileId);
  return profileView(input.profileId, consents, states, ctx.now);
}
