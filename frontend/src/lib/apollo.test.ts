import { describe, expect, it } from 'vitest';
import { IMAGES } from '../graphql/operations';
import { createCache } from './apollo';

function page(ids: string[], endCursor: string, hasNextPage: boolean) {
  return {
    images: {
      __typename: 'ImageConnection',
      edges: ids.map((id) => ({
        __typename: 'ImageEdge',
        cursor: `c-${id}`,
        node: {
          __typename: 'Image',
          id,
          url: `/api/files/${id}`,
          thumbnailUrl: `/api/files/${id}?t`,
          width: 512,
          height: 512,
          seed: 1,
          contentType: 'image/png',
          byteSize: 10,
          visibility: 'PRIVATE' as const,
          favorite: false,
          createdAt: '2026-01-01T00:00:00Z',
          uploaded: false,
          prompt: { __typename: 'Prompt', id: `p-${id}`, text: `prompt ${id}`, negativeText: null },
        },
      })),
      pageInfo: { __typename: 'PageInfo', hasNextPage, endCursor },
    },
  };
}

describe('the Apollo cache', () => {
  it('appends the next page of the gallery to the same list (infinite scroll)', () => {
    const cache = createCache();
    cache.writeQuery({ query: IMAGES, variables: { first: 2, filter: null }, data: page(['a', 'b'], 'c-b', true) });
    cache.writeQuery({ query: IMAGES, variables: { first: 2, after: 'c-b', filter: null }, data: page(['c'], 'c-c', false) });
    const read = cache.readQuery<ReturnType<typeof page>>({ query: IMAGES, variables: { first: 2, filter: null } });
    expect(read?.images.edges.map((e) => e.node.id)).toEqual(['a', 'b', 'c']);
    expect(read?.images.pageInfo.hasNextPage).toBe(false);
  });

  it('keeps the favourites list apart from the full gallery', () => {
    const cache = createCache();
    cache.writeQuery({ query: IMAGES, variables: { first: 2, filter: null }, data: page(['a', 'b'], 'c-b', false) });
    cache.writeQuery({ query: IMAGES, variables: { first: 2, filter: { favorite: true } }, data: page(['b'], 'c-b', false) });
    const all = cache.readQuery<ReturnType<typeof page>>({ query: IMAGES, variables: { first: 2, filter: null } });
    const favs = cache.readQuery<ReturnType<typeof page>>({ query: IMAGES, variables: { first: 2, filter: { favorite: true } } });
    expect(all?.images.edges).toHaveLength(2);
    expect(favs?.images.edges.map((e) => e.node.id)).toEqual(['b']);
  });
});
