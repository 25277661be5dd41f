import { listConsents } from "../../services/consents/index.ts";
import { keyedProcedure, router, serviceContext } from "../init.ts";

export const catalogRouter = router({
  /** The tenant's live consents; any key, publishable included. */
  list: keyedProcedure.query(async ({ ctx }) => {
    const list = await listConsents({ ctx: serviceContext(ctx), input: {} });
    return list.map(({ archivedAt: _archived, ...consent }) => consent);
  }),
});
