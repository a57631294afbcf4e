import { type MouseEvent, useEffect, useState } from 'react';

/**
 * Two pages, addressed by real paths so a shoe page can be bookmarked, shared and reloaded: `/` (the list) and
 * `/shoes/<id>`. The server answers both paths with index.html (src/web/web-app.ts); everything else is client-side
 * (History API), so moving between pages keeps the live connection.
 */
export type Route = { page: 'list' } | { page: 'shoe'; id: string } | { page: 'not-found' };

export function routeOf(pathname: string): Route {
  if (pathname === '/' || pathname === '') return { page: 'list' };
  const shoe = /^\/shoes\/([^/]+)\/?$/.exec(pathname);
  if (shoe) return { page: 'shoe', id: decodeURIComponent(shoe[1]) };
  return { page: 'not-found' };
}

export const shoePath = (id: string) => `/shoes/${encodeURIComponent(id)}`;

const listeners = new Set<() => void>();

export function navigate(path: string): void {
  if (path === location.pathname) return;
  history.pushState(null, '', path);
  listeners.forEach((listener) => listener());
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => routeOf(location.pathname));
  useEffect(() => {
    const update = () => setRoute(routeOf(location.pathname));
    listeners.add(update);
    window.addEventListener('popstate', update);
    return () => {
      listeners.delete(update);
      window.removeEventListener('popstate', update);
    };
  }, []);
  return route;
}

/**
 * For `<a href onClick={followLink}>`: a plain click stays in the app; a click with a modifier (new tab, new window)
 * or another button is left to the browser, so links behave like links.
 */
export function followLink(event: MouseEvent<HTMLAnchorElement>): void {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  event.preventDefault();
  navigate(event.currentTarget.pathname);
}
