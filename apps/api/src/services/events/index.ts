export * from "./track-events.ts";
