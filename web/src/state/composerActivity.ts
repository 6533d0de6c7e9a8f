// Who else is writing in a conversation, from composer.activity events:
// kept per conversation and user until the activity expires without a
// refresh. The author's own activity (another tab) is left out.

import { useEffect, useState, useSyncExternalStore } from 'react';
import type { ComposerActivity } from '../api/types';

/** activityEvery is how often colleagues are told that one is writing; the server's activity lasts 6 s. */
export const activityEvery = 3_000;

export type Writers = Record<string, ComposerActivity[]>;

/** addWriter records an activity (replacing the same user's in that conversation) and drops expired ones. */
export function addWriter(state: Writers, a: ComposerActivity, me: string, now: number): Writers {
  if (!a.conversation_id || a.user_id === me || Date.parse(a.expires_at) <= now) return pruneWriters(state, now);
  const list = (state[a.conversation_id] ?? []).filter((x) => x.user_id !== a.user_id && Date.parse(x.expires_at) > now);
  return { ...pruneWriters(state, now), [a.conversation_id]: [...list, a] };
}

/** pruneWriters drops expired activities (and conversations left without any). */
export function pruneWriters(state: Writers, now: number): Writers {
  let changed = false;
  const out: Writers = {};
  for (const [id, list] of Object.entries(state)) {
    const live = list.filter((x) => Date.parse(x.expires_at) > now);
    if (live.length !== list.length) changed = true;
    if (live.length) out[id] = live;
  }
  return changed ? out : state;
}

/** writersIn lists who is writing in a conversation at now, by name. */
export function writersIn(state: Writers, convId: string, now: number): ComposerActivity[] {
  return (state[convId] ?? []).filter((x) => Date.parse(x.expires_at) > now).sort((a, b) => a.user_name.localeCompare(b.user_name));
}

let writers: Writers = {};
const listeners = new Set<() => void>();

/** composerActivity is the tab's store of other writers, fed by the event stream. */
export const composerActivity = {
  add(a: ComposerActivity, me: string) {
    writers = addWriter(writers, a, me, Date.now());
    for (const l of listeners) l();
  },
  clear() {
    writers = {};
    for (const l of listeners) l();
  },
};

const subscribe = (l: () => void) => {
  listeners.add(l);
  return () => listeners.delete(l);
};

/** useWriters returns who else is writing in convId, refreshed until their activity expires. */
export function useWriters(convId: string): ComposerActivity[] {
  const state = useSyncExternalStore(subscribe, () => writers);
  const [now, setNow] = useState(() => Date.now());
  const list = writersIn(state, convId, now);
  const next = list.length ? Math.min(...list.map((x) => Date.parse(x.expires_at))) : 0;
  useEffect(() => {
    setNow(Date.now());
  }, [state]);
  useEffect(() => {
    if (!next) return;
    const id = setTimeout(() => setNow(Date.now()), Math.max(50, next - Date.now() + 10));
    return () => clearTimeout(id);
  }, [next]);
  return list;
}
