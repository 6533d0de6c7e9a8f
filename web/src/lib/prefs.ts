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
};
