export * from "./get-run";
export * from "./list-runs";
export * from "./trigger-run";
