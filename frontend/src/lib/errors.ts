import type { GraphQLFormattedError } from 'graphql';

/** What the UI shows for one failure: a headline a person understands, and the detail. */
export interface Problem {
  code: string;
  title: string;
  detail?: string;
  /** For BAD_USER_INPUT: the input field the server refused. */
  field?: string;
}

// One sentence per `extensions.code` the API documents. The server's own message is
// written for people too, so it is kept as the detail.
export const ERROR_TITLES: Record<string, string> = {
  UNAUTHENTICATED: 'We could not confirm who you are.',
  FORBIDDEN: 'You are not allowed to do that.',
  NOT_FOUND: 'We could not find that. It may have been deleted.',
  BAD_USER_INPUT: 'Please check what you entered.',
  CONFLICT: 'That already exists.',
  RATE_LIMITED: 'You are going a bit fast. Wait a moment and try again.',
  QUOTA_EXCEEDED: 'You have used up your image quota for now.',
  UPSTREAM_UNAVAILABLE: 'The image service is unavailable right now. Try again shortly.',
  INTERNAL: 'Something went wrong on our side. Please try again.',
  NETWORK: 'Cannot reach RenderMart. Check your connection and try again.',
};

/** Why a generation job failed, in words that say what to do next. */
export const GENERATION_ERROR_TEXT: Record<string, string> = {
  CONTENT_FILTERED:
    'Blocked by the content filter: the model refused this prompt or its result. Try rewording the prompt.',
  MODEL_UNAVAILABLE: 'This model is unavailable right now. Try another model or retry later.',
  THROTTLED: 'The image service is busy. Retry in a moment.',
  TIMEOUT: 'The generation took too long and was stopped. Retry it.',
  STORAGE_FAILED: 'The images were made but could not be saved. Retry it.',
  INTERNAL: 'Something went wrong while generating. Retry it.',
};

export function generationErrorText(code: string | null | undefined, message?: string | null): string {
  return (code && GENERATION_ERROR_TEXT[code]) || message || GENERATION_ERROR_TEXT.INTERNAL;
}

interface ApolloLikeError {
  graphQLErrors?: readonly GraphQLFormattedError[];
  networkError?: (Error & { statusCode?: number; result?: unknown }) | null;
  message?: string;
}

/** Turns whatever Apollo (or a plain GraphQL response) handed us into problems to show. */
export function describeError(error: unknown): Problem[] {
  if (!error) return [];
  const e = error as ApolloLikeError;
  const gqlErrors: readonly GraphQLFormattedError[] =
    e.graphQLErrors && e.graphQLErrors.length > 0
      ? e.graphQLErrors
      : extractFromNetworkResult(e.networkError?.result);
  if (gqlErrors.length > 0) {
    return gqlErrors.map((g) => {
      const code = typeof g.extensions?.code === 'string' ? g.extensions.code : 'INTERNAL';
      const field = typeof g.extensions?.field === 'string' ? g.extensions.field : undefined;
      return {
        code,
        title: ERROR_TITLES[code] ?? ERROR_TITLES.INTERNAL,
        detail: g.message && g.message !== ERROR_TITLES[code] ? g.message : undefined,
        field,
      };
    });
  }
  if (e.networkError) {
    return [{ code: 'NETWORK', title: ERROR_TITLES.NETWORK }];
  }
  return [{ code: 'INTERNAL', title: ERROR_TITLES.INTERNAL, detail: e.message }];
}

function extractFromNetworkResult(result: unknown): readonly GraphQLFormattedError[] {
  if (result && typeof result === 'object' && 'errors' in result) {
    const errors = (result as { errors: unknown }).errors;
    if (Array.isArray(errors)) return errors as GraphQLFormattedError[];
  }
  return [];
}

/** The problems left once those shown next to their own input field are taken out. */
export function withoutFields(problems: Problem[], shownAtField: readonly string[]): Problem[] {
  return problems.filter((p) => !(p.code === 'BAD_USER_INPUT' && p.field && shownAtField.includes(p.field)));
}

/** The message for one input field, when the server refused exactly that field. */
export function fieldProblem(problems: Problem[], field: string): Problem | undefined {
  return problems.find((p) => p.code === 'BAD_USER_INPUT' && p.field === field);
}
