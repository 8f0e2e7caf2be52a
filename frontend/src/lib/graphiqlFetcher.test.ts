import { describe, expect, it } from 'vitest';
import { withToken } from './graphiqlFetcher';

describe('withToken', () => {
  it('adds the logged-in user’s token', () => {
    const init = withToken({ method: 'POST', headers: { 'Content-Type': 'application/json' } }, 'abc');
    const headers = new Headers(init.headers);
    expect(headers.get('Authorization')).toBe('Bearer abc');
    expect(headers.get('Content-Type')).toBe('application/json');
    expect(init.method).toBe('POST');
  });

  it('keeps an Authorization header set in GraphiQL’s header editor', () => {
    const init = withToken({ headers: { authorization: 'Bearer rm_key' } }, 'abc');
    expect(new Headers(init.headers).get('Authorization')).toBe('Bearer rm_key');
  });

  it('sends nothing when nobody is logged in', () => {
    expect(new Headers(withToken(undefined, null).headers).has('Authorization')).toBe(false);
  });
});
