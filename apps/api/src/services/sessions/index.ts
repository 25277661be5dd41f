export * from "./authenticate-session";
export * from "./session-token";
export * from "./sign-in";
export * from "./sign-out";
