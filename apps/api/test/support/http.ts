import { env, exports } from "cloudflare:workers";
import { expect } from "vitest";

/** Anything with the Worker's fetch signature, e.g. `createApp({ now, rateLimiter })`. */
export interface FetchApp {
  fetch(request: Request, env: Env): Response | Promise<Response>;
}

export interface CallOptions {
  key?: string;
  token?: string;
  origin?: string;
  headers?: Record<string, string>;
  /** Another app than the Worker's default export (a fake clock or rate limiter). */
  app?: FetchApp;
}

export interface CallResult<T = unknown> {
  status: number;
  headers: Headers;
  data: T;
  error: {
    message: string;
    data: {
      code: string;
      httpStatus: number;
      requestId: string;
      issues: { path: string; message: string }[];
    };
  } | null;
  body: unknown;
}

function headersFor(options: CallOptions): Record<string, string> {
  return {
    ...(options.key ? { Authorization: `Bearer ${options.key}` } : {}),
    ...(options.token ? { "X-Lapse-Profile-Token": options.token } : {}),
    ...(options.origin ? { Origin: options.origin } : {}),
    ...options.headers,
  };
}

async function toResult<T>(response: Response): Promise<CallResult<T>> {
  const body = (await response.json()) as {
    result?: { data: T };
    error?: CallResult["error"];
  };
  return {
    status: response.status,
    headers: response.headers,
    data: body.result?.data as T,
    error: body.error ?? null,
    body,
  };
}

/** Sends a request to the Worker's own fetch entry point, or to `app` when given. */
export async function send(request: Request, app?: FetchApp): Promise<Response> {
  return app ? app.fetch(request, env) : exports.default.fetch(request);
}

/** A tRPC query over HTTP, through the Worker's own fetch entry point. */
export async function query<T = unknown>(path: string, input: unknown, options: CallOptions = {}) {
  const search = input === undefined ? "" : `?input=${encodeURIComponent(JSON.stringify(input))}`;
  const request = new Request(`https://api.test/trpc/${path}${search}`, {
    headers: headersFor(options),
  });
  return toResult<T>(await send(request, options.app));
}

/** A tRPC mutation over HTTP, through the Worker's own fetch entry point. */
export async function mutate<T = unknown>(path: string, input: unknown, options: CallOptions = {}) {
  const request = new Request(`https://api.test/trpc/${path}`, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...headersFor(options) },
    body: JSON.stringify(input),
  });
  return toResult<T>(await send(request, options.app));
}

/** A query or a mutation, as the procedure is declared. */
export function call<T = unknown>(
  type: "query" | "mutation",
  path: string,
  input: unknown,
  options: CallOptions = {},
) {
  return type === "query" ? query<T>(path, input, options) : mutate<T>(path, input, options);
}

/** Asserts a tRPC error's HTTP status and our own code; returns the error for more checks. */
export function expectError(result: CallResult, httpStatus: number, code: string) {
  expect(result.error?.data.code, JSON.stringify(result.body)).toBe(code);
  expect(result.status).toBe(httpStatus);
  expect(result.error?.data.httpStatus).toBe(httpStatus);
  if (result.error === null) {
    throw new Error("expected an error");
  }
  return result.error;
}

/** Asserts a 200 and returns the data. */
export function expectOk<T>(result: CallResult<T>): T {
  expect(result.error, JSON.stringify(result.body)).toBeNull();
  expect(result.status).toBe(200);
  return result.data;
}
