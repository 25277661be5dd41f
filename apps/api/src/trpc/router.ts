import { router } from "./init.ts";
import { adminRouter } from "./routers/admin.ts";
import { catalogRouter } from "./routers/catalog.ts";
import { eventsRouter } from "./routers/events.ts";
import { profileRouter } from "./routers/profile.ts";

export const appRouter = router({
  catalog: catalogRouter,
  profile: profileRouter,
  events: eventsRouter,
  admin: adminRouter,
});

/** The API's type, for @lapse/client; the only thing other packages import from here. */
export type AppRouter = typeof appRouter;
