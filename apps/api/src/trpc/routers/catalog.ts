import * as consents from "../../services/consents/list";
import { keyedProcedure, router, serviceContext } from "../init";

export const catalogRouter = router({
  /** The tenant's live consents; any key, publishable included. */
  list: keyedProcedure.query(async ({ ctx }) => {
    const list = await consents.list({ ctx: serviceContext(ctx), input: {} });
    return list.map(({ archivedAt: _archived, ...consent }) => consent);
  }),
});
