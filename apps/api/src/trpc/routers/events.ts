import { EventType, InstantText, ProfileId } from "@lapse/consent";
import { z } from "zod";
import { track } from "../../services/events/track";
import { router, scopedProcedure, serviceContext } from "../init";

export const MAX_EVENTS_PER_CALL = 1000;

export const TrackEventsInput = z.strictObject({
  events: z
    .array(z.strictObject({ profileId: ProfileId, type: EventType, occurredAt: InstantText }))
    .min(1)
    .max(MAX_EVENTS_PER_CALL),
});
export type TrackEventsInput = z.input<typeof TrackEventsInput>;

export const eventsRouter = router({
  /** R4, R5: up to 1,000 customer actions; a bad item rejects the whole batch. */
  track: scopedProcedure("events")
    .input(TrackEventsInput)
    .mutation(({ ctx, input }) => track({ ctx: serviceContext(ctx), input })),
});
