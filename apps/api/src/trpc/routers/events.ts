import { TrackEventsInput, trackEvents } from "../../services/events/index.ts";
import { router, scopedProcedure, serviceContext } from "../init.ts";

export const eventsRouter = router({
  /** R4, R5: up to 1,000 customer actions; a bad item rejects the whole batch. */
  track: scopedProcedure("events")
    .input(TrackEventsInput)
    .mutation(({ ctx, input }) => trackEvents({ ctx: serviceContext(ctx), input })),
});
