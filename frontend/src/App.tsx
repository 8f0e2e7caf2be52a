import { lazy, Suspense, type ReactNode } from 'react';
import { Navigate, Route, Routes, useLocation } from 'react-router-dom';
import { Layout } from './components/Layout';
import { useAuth } from './lib/auth';
import { AuthPage } from './pages/AuthPage';
import { EditPage } from './pages/EditPage';
import { ExplorePage } from './pages/ExplorePage';
import { GalleryPage } from './pages/GalleryPage';
import { GeneratePage } from './pages/GeneratePage';
import { HistoryPage } from './pages/HistoryPage';
import { HomePage } from './pages/HomePage';
import { ImagePage } from './pages/ImagePage';
import { SettingsPage } from './pages/SettingsPage';
import { WebhooksPage } from './pages/WebhooksPage';

// GraphiQL and its editor are large: a chunk of their own, fetched only on /graphiql.
const GraphiQLPage = lazy(() => import('./pages/GraphiQLPage'));

function RequireAuth({ children }: { children: ReactNode }) {
  const { token } = useAuth();
  const location = useLocation();
  if (!token) return <Navigate to={`/login?next=${encodeURIComponent(location.pathname)}`} replace />;
  return <>{children}</>;
}

export function App() {
  return (
    <Routes>
      <Route
        path="graphiql"
        element={
          <Suspense fallback={<p className="p-6 text-zinc-500 dark:text-zinc-400">Loading GraphiQL…</p>}>
            <GraphiQLPage />
          </Suspense>
        }
      />
      <Route element={<Layout />}>
        <Route index element={<HomePage />} />
        <Route path="signup" element={<AuthPage mode="signup" />} />
        <Route path="login" element={<AuthPage mode="login" />} />
        <Route path="explore" element={<ExplorePage />} />
        <Route path="images/:id" element={<ImagePage />} />
        <Route path="generate" element={<RequireAuth><GeneratePage /></RequireAuth>} />
        <Route path="edit/:id?" element={<RequireAuth><EditPage /></RequireAuth>} />
        <Route path="gallery" element={<RequireAuth><GalleryPage /></RequireAuth>} />
        <Route path="history" element={<RequireAuth><HistoryPage /></RequireAuth>} />
        <Route path="settings" element={<RequireAuth><SettingsPage /></RequireAuth>} />
        <Route path="settings/webhooks" element={<RequireAuth><WebhooksPage /></RequireAuth>} />
        <Route path="*" element={<NotFound />} />
      </Route>
    </Routes>
  );
}

function NotFound() {
  return (
    <div className="py-20 text-center">
      <h1 className="text-2xl font-bold">Page not found</h1>
      <p className="mt-2 text-zinc-500 dark:text-zinc-400">That page does not exist.</p>
    </div>
  );
}
