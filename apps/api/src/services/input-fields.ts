import { EventType, isWellFormedText, WELL_FORMED_MESSAGE } from "@lapse/consent";
import { z } from "zod";

/**
 * Fields several services' inputs share. Each service declares its own input schema (and the
 * type of the same name) from these and the domain's schemas in @lapse/consent.
 */

/** A consent's title as an admin writes it. */
export const ConsentTitle = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .refine(isWellFormedText, WELL_FORMED_MESSAGE);

/** Event types as the admin procedures take them: at most as many as there are types. */
export const EventTypeList = z.array(EventType).max(EventType.options.length);

/** A pagination cursor: opaque to callers, the `nextCursor` of the previous page. */
export const Cursor = z.string().max(32);
