import { useEffect, useState } from 'react';

/** useNow returns the current time, refreshed every interval, for "closes in 3 hours" labels. */
export function useNow(interval: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), interval);
    return () => clearInterval(id);
  }, [interval]);
  return now;
}
