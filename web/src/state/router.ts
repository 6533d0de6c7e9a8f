import { useSyncExternalStore } from 'react';

// A tiny router over the History API: the app has a handful of routes and
// needs no library for them.

const listeners = new Set<() => void>();

function subscribe(l: () => void): () => void {
  listeners.add(l);
  window.addEventListener('popstate', l);
  return () => {
    listeners.delete(l);
    window.removeEventListener('popstate', l);
  };
}

function snapshot(): string {
  return location.pathname;
}

export function navigate(to: string, replace = false): void {
  if (to === location.pathname + location.search + location.hash) return;
  if (replace) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  for (const l of listeners) l();
}

export function usePath(): string {
  return useSyncExternalStore(subscribe, snapshot, snapshot);
}

export type Route =
  | { name: 'inbox'; id: string | null }
  | { name: 'users' | 'roles' | 'channels' | 'audit' | 'labels' | 'canned' | 'mentions' | 'reports' | 'account' | 'login' | 'setup' }
  | { name: 'notfound' };

/** match maps a path to a route. */
export function match(path: string): Route {
  const p = path.replace(/\/+$/, '') || '/';
  if (p === '/' || p === '/inbox') return { name: 'inbox', id: null };
  const conv = /^\/c\/([^/]+)$/.exec(p);
  if (conv) return { name: 'inbox', id: decodeURIComponent(conv[1] ?? '') };
  switch (p) {
    case '/admin/users':
      return { name: 'users' };
    case '/admin/roles':
      return { name: 'roles' };
    case '/admin/channels':
      return { name: 'channels' };
    case '/admin/audit':
      return { name: 'audit' };
    case '/admin/labels':
      return { name: 'labels' };
    case '/admin/canned-replies':
      return { name: 'canned' };
    case '/reports':
      return { name: 'reports' };
    case '/mentions':
      return { name: 'mentions' };
    case '/account':
      return { name: 'account' };
    case '/login':
      return { name: 'login' };
    case '/setup':
      return { name: 'setup' };
  }
  return { name: 'notfound' };
}

/** Link is an anchor that navigates without reloading, but still opens in a new tab on Ctrl/Cmd-click. */
export function onLinkClick(e: React.MouseEvent<HTMLAnchorElement>, to: string): void {
  if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  e.preventDefault();
  navigate(to);
}
