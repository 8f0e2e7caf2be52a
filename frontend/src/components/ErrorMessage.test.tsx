import { ApolloError } from '@apollo/client';
import { render, screen } from '@testing-library/react';
import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { describeError, ERROR_TITLES, generationErrorText } from '../lib/errors';
import { ErrorMessage } from './ErrorMessage';

function apolloError(code: string, message: string, extra: Record<string, unknown> = {}) {
  return new ApolloError({ graphQLErrors: [new GraphQLError(message, { extensions: { code, ...extra } })] });
}

describe('ErrorMessage', () => {
  it.each([
    ['UNAUTHENTICATED', 'We could not confirm who you are.'],
    ['FORBIDDEN', 'You are not allowed to do that.'],
    ['NOT_FOUND', 'We could not find that. It may have been deleted.'],
    ['BAD_USER_INPUT', 'Please check what you entered.'],
    ['CONFLICT', 'That already exists.'],
    ['RATE_LIMITED', 'You are going a bit fast. Wait a moment and try again.'],
    ['QUOTA_EXCEEDED', 'You have used up your image quota for now.'],
    ['UPSTREAM_UNAVAILABLE', 'The image service is unavailable right now. Try again shortly.'],
    ['INTERNAL', 'Something went wrong on our side. Please try again.'],
  ])('shows a human sentence for %s', (code, title) => {
    render(<ErrorMessage error={apolloError(code, 'server says so')} />);
    const alert = screen.getByRole('alert');
    expect(alert).toHaveTextContent(title);
    expect(alert).toHaveTextContent('server says so');
    expect(alert.querySelector(`[data-code="${code}"]`)).not.toBeNull();
  });

  it('has a title for every documented code', () => {
    for (const code of ['UNAUTHENTICATED', 'FORBIDDEN', 'NOT_FOUND', 'BAD_USER_INPUT', 'CONFLICT', 'RATE_LIMITED', 'QUOTA_EXCEEDED', 'UPSTREAM_UNAVAILABLE', 'INTERNAL']) {
      expect(ERROR_TITLES[code]).toBeTruthy();
    }
  });

  it('keeps the field a BAD_USER_INPUT error names', () => {
    const [p] = describeError(apolloError('BAD_USER_INPUT', 'Email is not valid', { field: 'email' }));
    expect(p).toMatchObject({ code: 'BAD_USER_INPUT', field: 'email', detail: 'Email is not valid' });
  });

  it('treats an unknown code as an internal error without hiding the message', () => {
    render(<ErrorMessage error={apolloError('TEAPOT', 'I am a teapot')} />);
    expect(screen.getByRole('alert')).toHaveTextContent('Something went wrong on our side. Please try again. I am a teapot');
  });

  it('says the server cannot be reached on a network error', () => {
    render(<ErrorMessage error={new ApolloError({ networkError: new TypeError('Failed to fetch') })} />);
    expect(screen.getByRole('alert')).toHaveTextContent('Cannot reach RenderMart');
    expect(screen.getByRole('alert')).not.toHaveTextContent('Failed to fetch');
  });

  it('reads GraphQL errors carried in an HTTP error response', () => {
    const networkError = Object.assign(new Error('Response not successful'), {
      statusCode: 400,
      result: { errors: [{ message: 'Too many requests', extensions: { code: 'RATE_LIMITED' } }] },
    });
    const [p] = describeError(new ApolloError({ networkError }));
    expect(p.code).toBe('RATE_LIMITED');
  });

  it('renders nothing without an error', () => {
    const { container } = render(<ErrorMessage error={undefined} />);
    expect(container).toBeEmptyDOMElement();
  });

  it('explains a content-filtered job as blocked, not crashed', () => {
    expect(generationErrorText('CONTENT_FILTERED', 'raw')).toMatch(/content filter/);
    expect(generationErrorText('WHATEVER', 'the server message')).toBe('the server message');
  });
});
