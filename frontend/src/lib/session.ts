// The bearer token lives in localStorage so a session survives a reload; listeners let the
// Apollo links and React state follow a log-in or log-out in the same tab.
const KEY = 'rendermart.token';

type Listener = (token: string | null) => void;
const listeners = new Set<Listener>();

export function getToken(): string | null {
  try {
    return localStorage.getItem(KEY);
  } catch {
    return null;
  }
}

export function setToken(token: string | null): void {
  try {
    if (token) localStorage.setItem(KEY, token);
    else localStorage.removeItem(KEY);
  } catch {
    // Private mode without storage: the session then lasts until the tab closes.
  }
  try {
    // Per-tab UI state (the job or batch on the Generate page) belongs to the previous account.
    sessionStorage.removeItem('rendermart.currentGeneration');
    sessionStorage.removeItem('rendermart.currentBatch');
  } catch {
    // No storage, nothing to forget.
  }
  listeners.forEach((l) => l(token));
}

export function onTokenChange(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
