import type { ServiceContext } from "../context";
import { loadProfile } from "./states";
import { profileView } from "./view";

/** Every live consent with this profile's status (R1: no state row reads as `unknown`). */
export async function get({ ctx, input }: { ctx: ServiceContext; input: { profileId: string } }) {
  const { consents, states } = await loadProfile(ctx, input.profileId);
  return profileView(input.profileId, consents, states);
}
