export * from "./track-events";
