// The installation's labels, loaded once per tab for the label picker and
// the list's filter, and reloaded after a change on the labels screen.

import { useEffect, useState } from 'react';
import { api } from '../api/endpoints';
import type { Label } from '../api/types';

let cached: Promise<Label[] | null> | null = null;
let cachedAt = 0;
const listeners = new Set<() => void>();

/** maxAge is how long the list is reused before it is loaded again (colleagues add labels). */
const maxAge = 60_000;

/** labels loads the list, reused for a minute; null when it could not be loaded (a later call tries again). */
export function labels(now = Date.now()): Promise<Label[] | null> {
  if (!cached || now - cachedAt > maxAge) {
    cachedAt = now;
    cached = api.labels().then(
      (r) => r.items ?? [],
      () => {
        cached = null;
        return null;
      },
    );
  }
  return cached;
}

/** invalidateLabels drops the cached list after a change, so pickers reload it. */
export function invalidateLabels(): void {
  cached = null;
  for (const l of listeners) l();
}

/** useLabels is labels() for a component; load is false until it is first needed. */
export function useLabels(load: boolean): Label[] | null {
  const [items, setItems] = useState<Label[] | null>(null);
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
    void labels().then((r) => {
      if (live) setItems(r);
    });
    return () => {
      live = false;
    };
  }, [load, version]);
  return items;
}
