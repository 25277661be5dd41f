import { router } from "./init";
import { adminRouter } from "./routers/admin";
import { catalogRouter } from "./routers/catalog";
import { eventsRouter } from "./routers/events";
import { profileRouter } from "./routers/profile";

export const appRouter = router({
  catalog: catalogRouter,
  profile: profileRouter,
  events: eventsRouter,
  admin: adminRouter,
});

/** The API's type, for @lapse/client; the only thing other packages import from here. */
export type AppRouter = typeof appRouter;
