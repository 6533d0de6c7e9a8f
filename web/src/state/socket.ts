import type { InboxEvent } from '../api/types';

/**
 * maxBackoff caps the wait between reconnect attempts: a server back from a
 * restart is found within about two seconds (the banner goes with it). An
 * attempt is one cheap upgrade request, so even many clients retrying at
 * this pace are little load.
 */
export const maxBackoff = 2_000;

/** backoff returns the wait before reconnect attempt n (0-based): 0.5 s doubling to maxBackoff, with ±20 % jitter so clients do not return in step. */
export function backoff(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(maxBackoff, 500 * 2 ** Math.min(attempt, 16));
  const jitter = 1 + (random() * 0.4 - 0.2);
  return Math.round(base * jitter);
}

export type SocketState = 'connecting' | 'open' | 'closed';

export interface EventSocketOptions {
  /** The id of the newest event applied, read at every (re)connect. */
  lastId: () => number;
  onEvent: (e: InboxEvent) => void;
  onState: (s: SocketState) => void;
  /**
   * Called when the server closed with 1008 (session revoked) or the socket
   * closed before opening (e.g. 401 at the upgrade): the caller checks
   * whether the session still exists.
   */
  onTrouble: () => void;
}

/**
 * EventSocket keeps one WebSocket to /api/v1/events open: it reconnects with
 * exponential backoff capped at maxBackoff, resumes with ?last_id=,
 * reconnects at once when the browser comes back online or the tab regains
 * the focus, and stops for good on close().
 */
export class EventSocket {
  private ws: WebSocket | null = null;
  private attempt = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private stopped = false;
  private readonly opts: EventSocketOptions;
  private readonly online = () => this.reconnectNow();
  private readonly visible = () => {
    if (!document.hidden) this.reconnectNow();
  };

  constructor(opts: EventSocketOptions) {
    this.opts = opts;
  }

  start(): void {
    this.stopped = false;
    // Back online, or back to the tab: try at once instead of waiting out the backoff.
    window.addEventListener('online', this.online);
    window.addEventListener('focus', this.online);
    document.addEventListener('visibilitychange', this.visible);
    this.connect();
  }

  close(): void {
    this.stopped = true;
    window.removeEventListener('online', this.online);
    window.removeEventListener('focus', this.online);
    document.removeEventListener('visibilitychange', this.visible);
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const ws = this.ws;
    this.ws = null;
    if (ws) {
      ws.onclose = null;
      ws.close(1000);
    }
  }

  /** reconnectNow skips the remaining backoff, e.g. when the network returns. */
  reconnectNow(): void {
    if (this.stopped || (this.ws && this.ws.readyState === WebSocket.OPEN)) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.attempt = 0;
    if (!this.ws) this.connect();
  }

  private connect(): void {
    if (this.stopped) return;
    const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const last = this.opts.lastId();
    const url = `${proto}//${location.host}/api/v1/events${last > 0 ? `?last_id=${last}` : ''}`;
    this.opts.onState('connecting');
    let ws: WebSocket;
    try {
      ws = new WebSocket(url);
    } catch {
      this.schedule();
      return;
    }
    this.ws = ws;
    let opened = false;
    ws.onopen = () => {
      opened = true;
      this.attempt = 0;
      this.opts.onState('open');
    };
    ws.onmessage = (m) => {
      if (typeof m.data !== 'string') return;
      try {
        this.opts.onEvent(JSON.parse(m.data) as InboxEvent);
      } catch {
        // A malformed frame is skipped; the next resync repairs state.
      }
    };
    ws.onclose = (ev) => {
      this.ws = null;
      if (this.stopped) return;
      this.opts.onState('closed');
      if (ev.code === 1008 || !opened) this.opts.onTrouble();
      this.schedule();
    };
  }

  private schedule(): void {
    if (this.stopped) return;
    const wait = backoff(this.attempt++);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.connect();
    }, wait);
  }
}
