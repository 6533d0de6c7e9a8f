// The canned replies of the signed-in user (shared and personal), loaded
// once per tab for the composer's `/` menu and reloaded after a change on
// the management screen.

import { useEffect, useState } from 'react';
import { api } from '../api/endpoints';
import type { CannedReply } from '../api/types';

let cached: Promise<CannedReply[] | null> | null = null;
let cachedAt = 0;
const listeners = new Set<() => void>();

/** maxAge is how long the list is reused before a `/` loads it again (colleagues change shared replies). */
const maxAge = 60_000;

/** cannedReplies loads the list, reused for a minute; null when it could not be loaded (a later call tries again). */
export function cannedReplies(now = Date.now()): Promise<CannedReply[] | null> {
  if (!cached || now - cachedAt > maxAge) {
    cachedAt = now;
    cached = api.cannedReplies('').then(
      (r) => r.items ?? [],
      () => {
        cached = null;
        return null;
      },
    );
  }
  return cached;
}

/** invalidateCanned drops the cached list after a change, so menus reload it. */
export function invalidateCanned(): void {
  cached = null;
  for (const l of listeners) l();
}

/** useCannedReplies is cannedReplies() for a component; load is false until it is first needed. */
export function useCannedReplies(load: boolean): CannedReply[] | null {
  const [items, setItems] = useState<CannedReply[] | null>(null);
  const [version, setVersion] = useState(0);
  useEffect(() => {
    const l = () => setVersion((v) => v + 1);
    listeners.add(l);
    return () => {
      listeners.delete(l);
    };
  }, []);
  useEffect(() => {
    if (!load) return;
    let live = true;
    void cannedReplies().then((r) => {
      if (live) setItems(r);
    });
    return () => {
      live = false;
    };
  }, [load, version]);
  return items;
}
