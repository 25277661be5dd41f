import { type Context, useContext } from "react";

/**
 * The value of a context that has no sensible default: a hook used outside its provider is a
 * wiring bug, so it throws `message` at once rather than handing out null.
 */
export function useRequiredContext<T>(context: Context<T | null>, message: string): T {
  const value = useContext(context);
  if (value === null) {
    throw new Error(message);
  }
  return value;
}
