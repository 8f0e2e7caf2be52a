import { NavLink, Link, Outlet, useNavigate } from 'react-router-dom';
import { useAuth } from '../lib/auth';
import { buttonPrimary, buttonSecondary } from './ui';

const navItem = ({ isActive }: { isActive: boolean }) =>
  `whitespace-nowrap rounded-lg px-3 py-2 text-sm font-medium transition-colors ${
    isActive
      ? 'bg-violet-100 text-violet-800 dark:bg-violet-500/20 dark:text-violet-200'
      : 'text-zinc-600 hover:bg-zinc-100 hover:text-zinc-900 dark:text-zinc-400 dark:hover:bg-zinc-800 dark:hover:text-zinc-100'
  }`;

export function Layout() {
  const { viewer, token, signOut } = useAuth();
  const navigate = useNavigate();
  const loggedIn = !!token;

  return (
    <div className="min-h-screen">
      <a href="#main" className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:z-50 focus:rounded focus:bg-white focus:px-3 focus:py-2 focus:text-zinc-900">
        Skip to content
      </a>
      <header className="sticky top-0 z-30 border-b border-zinc-200 bg-white/80 backdrop-blur dark:border-zinc-800 dark:bg-zinc-950/80">
        <div className="mx-auto flex max-w-7xl flex-wrap items-center gap-x-4 gap-y-2 px-4 py-3">
          <Link to="/" className="flex items-center gap-2 text-lg font-bold tracking-tight">
            <img src="/favicon.svg" alt="" className="h-7 w-7" />
            RenderMart
          </Link>
          {/* Below laptop width the links take a row of their own, wrapping on a phone so none is cut off. */}
          <nav aria-label="Main" className="order-3 -mx-1 flex w-full flex-wrap gap-1 lg:order-none lg:w-auto">
            {loggedIn ? (
              <>
                <NavLink to="/generate" className={navItem}>Generate</NavLink>
                <NavLink to="/edit" className={navItem}>Edit a picture</NavLink>
                <NavLink to="/gallery" className={navItem}>Gallery</NavLink>
                <NavLink to="/history" className={navItem}>History</NavLink>
              </>
            ) : null}
            <NavLink to="/explore" className={navItem}>Explore</NavLink>
            {loggedIn ? <NavLink to="/settings" className={navItem}>Settings</NavLink> : null}
          </nav>
          <div className="ml-auto flex items-center gap-2">
            {loggedIn ? (
              <>
                <span className="hidden text-sm text-zinc-500 dark:text-zinc-400 md:inline" title={viewer?.email ?? undefined}>
                  {viewer?.displayName}
                </span>
                <button
                  type="button"
                  className={buttonSecondary}
                  onClick={async () => {
                    await signOut();
                    navigate('/');
                  }}
                >
                  Log out
                </button>
              </>
            ) : (
              <>
                <Link to="/login" className={buttonSecondary}>Log in</Link>
                <Link to="/signup" className={buttonPrimary}>Sign up</Link>
              </>
            )}
          </div>
        </div>
      </header>
      <main id="main" className="mx-auto max-w-7xl px-4 py-6 sm:py-10">
        <Outlet />
      </main>
    </div>
  );
}
