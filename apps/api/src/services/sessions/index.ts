export * from "./authenticate-session.ts";
export * from "./session-token.ts";
export * from "./sign-in.ts";
export * from "./sign-out.ts";
