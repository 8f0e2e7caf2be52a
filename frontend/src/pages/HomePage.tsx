import { useQuery } from '@apollo/client';
import { Link } from 'react-router-dom';
import { ImageGrid } from '../components/ImageGrid';
import { buttonPrimary, buttonSecondary } from '../components/ui';
import { PUBLIC_IMAGES } from '../graphql/operations';
import { useAuth } from '../lib/auth';

export function HomePage() {
  const { token, viewer } = useAuth();
  const { data } = useQuery(PUBLIC_IMAGES, {
    variables: { first: 12 },
  });
  const images = data?.publicImages.edges.map((e) => e.node) ?? [];
  return (
    <div className="space-y-12">
      <section className="relative overflow-hidden rounded-3xl bg-gradient-to-br from-violet-600 via-fuchsia-600 to-pink-500 px-6 py-14 text-white shadow-xl sm:px-12 sm:py-20">
        <h1 className="max-w-2xl text-4xl font-extrabold tracking-tight sm:text-5xl">Type a prompt. Watch it render.</h1>
        <p className="mt-4 max-w-xl text-lg text-white/85">
          RenderMart turns your words into images with Amazon Bedrock models, streams every step
          live, and keeps everything you make in one gallery.
        </p>
        <div className="mt-8 flex flex-wrap gap-3">
          {token ? (
            <Link to="/generate" className="rounded-lg bg-white px-5 py-3 font-semibold text-violet-700 shadow hover:bg-violet-50">
              {viewer ? `Start generating, ${viewer.displayName}` : 'Start generating'}
            </Link>
          ) : (
            <>
              <Link to="/signup" className="rounded-lg bg-white px-5 py-3 font-semibold text-violet-700 shadow hover:bg-violet-50">
                Sign up free
              </Link>
              <Link to="/login" className="rounded-lg border border-white/60 px-5 py-3 font-semibold text-white hover:bg-white/10">
                Log in
              </Link>
            </>
          )}
          <Link to="/explore" className="rounded-lg px-5 py-3 font-semibold text-white/90 underline-offset-4 hover:underline">
            Explore the public feed →
          </Link>
        </div>
      </section>
      {images.length > 0 ? (
        <section aria-labelledby="home-recent">
          <div className="mb-4 flex items-center justify-between">
            <h2 id="home-recent" className="text-xl font-bold">Recently shared</h2>
            <Link to="/explore" className={buttonSecondary}>See all</Link>
          </div>
          <ImageGrid images={images} />
        </section>
      ) : (
        <section className="text-center text-zinc-500 dark:text-zinc-400">
          <p>Nothing has been shared yet. Be the first.</p>
          {!token ? <Link to="/signup" className={`${buttonPrimary} mt-4`}>Create an account</Link> : null}
        </section>
      )}
    </div>
  );
}
