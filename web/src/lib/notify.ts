// Attention signals: a short beep, browser notifications and the tab title.

let audio: AudioContext | null = null;

/** unlockAudio creates the AudioContext during a user gesture, as browsers require before any sound. */
export function unlockAudio(): void {
  if (audio || typeof AudioContext === 'undefined') return;
  try {
    audio = new AudioContext();
  } catch {
    audio = null;
  }
}

/** beep plays two short tones with WebAudio; silent until the page had a user gesture. */
export function beep(): void {
  if (!audio) return;
  const ctx = audio;
  if (ctx.state === 'suspended') void ctx.resume();
  const start = ctx.currentTime + 0.01;
  [880, 1320].forEach((freq, i) => {
    const osc = ctx.createOscillator();
    const gain = ctx.createGain();
    osc.type = 'sine';
    osc.frequency.value = freq;
    const t0 = start + i * 0.16;
    gain.gain.setValueAtTime(0.0001, t0);
    gain.gain.exponentialRampToValueAtTime(0.2, t0 + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, t0 + 0.14);
    osc.connect(gain).connect(ctx.destination);
    osc.start(t0);
    osc.stop(t0 + 0.15);
  });
}

export type NotificationSupport = 'unsupported' | NotificationPermission;

export function notificationSupport(): NotificationSupport {
  return typeof Notification === 'undefined' ? 'unsupported' : Notification.permission;
}

/** askNotificationPermission must run from a click: browsers ignore or punish requests on load. */
export async function askNotificationPermission(): Promise<NotificationSupport> {
  if (typeof Notification === 'undefined') return 'unsupported';
  try {
    return await Notification.requestPermission();
  } catch {
    return Notification.permission;
  }
}

/** showNotification shows a desktop notification when permitted; clicking it focuses the tab and calls onClick. */
export function showNotification(title: string, body: string, tag: string, onClick: () => void): void {
  if (typeof Notification === 'undefined' || Notification.permission !== 'granted') return;
  try {
    const n = new Notification(title, { body, tag });
    n.onclick = () => {
      window.focus();
      onClick();
      n.close();
    };
  } catch {
    // Some browsers only allow notifications from a service worker.
  }
}

/** titleWith puts the unread count in front of the page title. */
export function titleWith(count: number, base: string): string {
  return count > 0 ? `(${count > 99 ? '99+' : count}) ${base}` : base;
}
