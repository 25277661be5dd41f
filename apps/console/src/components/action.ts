/**
 * What a form or a confirmation runs, as TanStack Query's `useMutation` gives it: a mutation
 * that takes no variables, whether it is running, the error of its last attempt, and a way to
 * forget that attempt.
 */
export interface Action {
  mutate(): void;
  reset(): void;
  isPending: boolean;
  error: unknown;
}
