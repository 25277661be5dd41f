/**
 * The limits of the Lapse API, written once: the API enforces them, the console and the
 * client show or check them. No zod here, so a bundle can take these numbers alone
 * (`@lapse/consent/limits`).
 */

/** An expiry policy's number of days (docs/rules.md: words). */
export const EXPIRY_DAYS_MIN = 1;
export const EXPIRY_DAYS_MAX = 3650;

/** Customer actions in one `events.track` call. */
export const MAX_EVENTS_PER_CALL = 1000;
/** Status changes in one `profile.update` call. */
export const MAX_CHANGES_PER_UPDATE = 100;
/** Items in one `admin.profiles.import` call. */
export const MAX_IMPORT_ITEMS = 1000;

/** How many days ahead a forecast or a preview may look, and how many by default. */
export const MAX_FORECAST_HORIZON_DAYS = 366;
export const DEFAULT_FORECAST_HORIZON_DAYS = 90;

/** A profile token lives at most 24 hours (docs/rules.md: credentials). */
export const PROFILE_TOKEN_MAX_TTL_SECONDS = 24 * 3600;
