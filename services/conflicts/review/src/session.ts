/** Who is logged in, to which app, kept for the browser tab (sessionStorage), so a reload keeps the reviewer in. */
export interface Session {
  app: string;
  accessToken: string;
  refreshToken: string;
}

const KEY = 'takes-review-session';

export function loadSession(): Session | null {
  try {
    const session = JSON.parse(sessionStorage.getItem(KEY) ?? 'null') as Session | null;
    return session && typeof session.accessToken === 'string' ? session : null;
  } catch {
    return null;
  }
}

export function saveSession(session: Session | null): void {
  if (session) sessionStorage.setItem(KEY, JSON.stringify(session));
  else sessionStorage.removeItem(KEY);
}

/** The user id in an access token (its `sub`), to label the reviewer's own takes; null when it cannot be read. */
export function userIdOf(accessToken: string): string | null {
  try {
    const payload = accessToken.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    const claims = JSON.parse(atob(payload)) as { sub?: unknown };
    return typeof claims.sub === 'string' ? claims.sub : null;
  } catch {
    return null;
  }
}
