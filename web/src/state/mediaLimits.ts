import { api } from '../api/endpoints';
import type { MediaLimit } from '../lib/files';

let cached: Promise<MediaLimit[] | null> | null = null;

/**
 * mediaLimits loads the server's table of sendable files once per tab
 * (GET /api/v1/media/limits). null when it could not be loaded: then the
 * server's own check on upload is the only one, and a later call tries again.
 */
export function mediaLimits(): Promise<MediaLimit[] | null> {
  if (!cached) {
    cached = api.mediaLimits().then(
      (r) => r.items ?? [],
      () => {
        cached = null;
        return null;
      },
    );
  }
  return cached;
}
