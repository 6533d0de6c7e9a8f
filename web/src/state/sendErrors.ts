import { useEffect, useState } from 'react';
import { api } from '../api/endpoints';

let cached: Promise<number[] | null> | null = null;

/**
 * retryableCodes loads, once per tab, the error codes after which a failed
 * message may be sent again (GET /api/v1/send-errors). null when it could
 * not be loaded; a later call tries again.
 */
export function retryableCodes(): Promise<number[] | null> {
  if (!cached) {
    cached = api.sendErrors().then(
      (r) => r.retryable_codes ?? [],
      () => {
        cached = null;
        return null;
      },
    );
  }
  return cached;
}

/** useRetryableCodes is retryableCodes() for a component: null until loaded. */
export function useRetryableCodes(): number[] | null {
  const [codes, setCodes] = useState<number[] | null>(null);
  useEffect(() => {
    let live = true;
    void retryableCodes().then((c) => {
      if (live) setCodes(c);
    });
    return () => {
      live = false;
    };
  }, []);
  return codes;
}
