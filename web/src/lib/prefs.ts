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

export const prefs = {
  sound: (): boolean => read('switchboard.sound') !== 'off',
  setSound: (on: boolean) => write('switchboard.sound', on ? 'on' : 'off'),
};
