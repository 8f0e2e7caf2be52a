import { MockedProvider, type MockedResponse } from '@apollo/client/testing';
import { act, render, screen } from '@testing-library/react';
import { MemoryRouter } from 'react-router-dom';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { IMAGES } from '../graphql/operations';
import { createCache } from '../lib/apollo';
import { imageNode } from '../test/fixtures';
import { GalleryPage } from './GalleryPage';

function page(ids: string[], hasNextPage: boolean) {
  return {
    data: {
      images: {
        __typename: 'ImageConnection',
        edges: ids.map((id) => ({ __typename: 'ImageEdge', cursor: `c-${id}`, node: imageNode(id) })),
        pageInfo: { __typename: 'PageInfo', hasNextPage, endCursor: `c-${ids[ids.length - 1]}` },
      },
    },
  };
}

// jsdom has no IntersectionObserver: this one lets the test say when the sentinel is seen.
let observed: Array<(entries: Array<{ isIntersecting: boolean }>) => void> = [];
beforeEach(() => {
  observed = [];
  vi.stubGlobal(
    'IntersectionObserver',
    class {
      constructor(private cb: (entries: Array<{ isIntersecting: boolean }>) => void) {}
      observe() {
        observed.push(this.cb);
      }
      disconnect() {
        observed = observed.filter((cb) => cb !== this.cb);
      }
      unobserve() {}
      takeRecords() {
        return [];
      }
    },
  );
});
afterEach(() => vi.unstubAllGlobals());

describe('GalleryPage', () => {
  it('loads the next page when the end of the grid scrolls into view, keeping the first', async () => {
    const mocks: MockedResponse[] = [
      { request: { query: IMAGES, variables: { first: 24, filter: null } }, result: page(['a', 'b'], true) },
      { request: { query: IMAGES, variables: { first: 24, filter: null, after: 'c-b' } }, result: page(['c'], false) },
    ];
    render(
      <MockedProvider mocks={mocks} cache={createCache()}>
        <MemoryRouter initialEntries={['/gallery']}>
          <GalleryPage />
        </MemoryRouter>
      </MockedProvider>,
    );
    expect(await screen.findByAltText('prompt a')).toBeInTheDocument();
    expect(screen.queryByAltText('prompt c')).not.toBeInTheDocument();

    await act(async () => observed.forEach((cb) => cb([{ isIntersecting: true }])));
    expect(await screen.findByAltText('prompt c')).toBeInTheDocument();
    expect(screen.getAllByRole('img').map((i) => i.getAttribute('alt'))).toEqual(['prompt a', 'prompt b', 'prompt c']);
    // The last page says there is no more: nothing left to observe or click.
    expect(screen.queryByRole('button', { name: /Load more/ })).not.toBeInTheDocument();
  });
});
