// Small per-browser preferences in localStorage.

function read(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

function write(key: string, value: string): void {
  try {
    localStorage.setItem(key, value);
  } catch {
    // Private mode or full storage: the preference lasts for this tab.
  }
}

import type { NoticeSetting } from './notices';

export const prefs = {
  sound: (): boolean => read('switchboard.sound') !== 'off',
  setSound: (on: boolean) => write('switchboard.sound', on ? 'on' : 'off'),
  /** notices is the user's choice of message notices (all / mine / none), per user on this browser; "mine" by default. */
  notices: (userId: string): NoticeSetting => {
    const v = read(`switchboard.notices.${userId}`);
    return v === 'all' || v === 'none' ? v : 'mine';
  },
  setNotices: (userId: string, v: NoticeSetting) => write(`switchboard.notices.${userId}`, v),
  /** theme is light, dark, or the system's (the default), for this browser. */
  theme: (): Theme => {
    const v = read('switchboard.theme');
    return v === 'light' || v === 'dark' ? v : 'system';
  },
  setTheme: (v: Theme) => {
    write('switchboard.theme', v);
    applyTheme(v);
  },
};

export type Theme = 'system' | 'light' | 'dark';

/** applyTheme sets data-theme on <html>, which the stylesheet's theme rules follow. */
export function applyTheme(v: Theme): void {
  if (v === 'system') delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = v;
}
