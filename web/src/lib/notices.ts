// The notice strip's bookkeeping, kept pure so grouping, pausing and expiry
// are unit-tested without a browser or real timers.

export type Tone = 'info' | 'error' | 'success';

export interface NoticeInput {
  text: string;
  tone?: Tone;
  action?: { label: string; run: () => void };
  /**
   * group merges notices about the same thing (e.g. "msg:<conversation id>"):
   * a newer one replaces the older and counts it, so a busy chat takes one
   * line instead of filling the strip.
   */
  group?: string;
}

export interface Notice extends NoticeInput {
  id: number;
  tone: Tone;
  /** How many notices this one stands for (grouped). */
  count: number;
  /** When it goes, in ms since the epoch (shifted while the strip is paused). */
  deadline: number;
}

/** noticeLifetime is how long a notice stays unless the pointer or focus rests on the strip. */
export function noticeLifetime(tone: Tone): number {
  return tone === 'error' ? 12_000 : 6_000;
}

/** maxNotices bounds the strip: older notices give way to newer ones. */
export const maxNotices = 3;

/** pushNotice adds n, merging it into an existing notice of the same group. */
export function pushNotice(list: Notice[], n: NoticeInput, id: number, now: number): Notice[] {
  const tone = n.tone ?? 'info';
  let count = 1;
  let rest = list;
  if (n.group) {
    const prev = list.find((x) => x.group === n.group);
    if (prev) {
      count = prev.count + 1;
      rest = list.filter((x) => x !== prev);
    }
  }
  return [...rest, { ...n, tone, id, count, deadline: now + noticeLifetime(tone) }].slice(-maxNotices);
}

/** expireNotices drops the notices whose time is up. */
export function expireNotices(list: Notice[], now: number): Notice[] {
  const left = list.filter((x) => x.deadline > now);
  return left.length === list.length ? list : left;
}

/** resumeNotices pushes every deadline back by how long the strip was paused, so nothing expires under the pointer. */
export function resumeNotices(list: Notice[], pausedFor: number): Notice[] {
  if (pausedFor <= 0) return list;
  return list.map((x) => ({ ...x, deadline: x.deadline + pausedFor }));
}

/** nextExpiry is when the next notice goes, or 0 when there is none. */
export function nextExpiry(list: Notice[]): number {
  let t = 0;
  for (const x of list) if (t === 0 || x.deadline < t) t = x.deadline;
  return t;
}

export type NoticeSetting = 'all' | 'mine' | 'none';

/**
 * wantMessageNotice applies the viewer's setting to a customer message:
 * "all" for every conversation they can see, "mine" for those assigned to
 * them (and unassigned ones, for who sees everything), "none" never.
 */
export function wantMessageNotice(setting: NoticeSetting, mine: boolean): boolean {
  if (setting === 'all') return true;
  if (setting === 'none') return false;
  return mine;
}
