import { ApiError } from '../api/client';
import type { T } from '../i18n';

/** passwordReason localises the server's password-policy sentences we know; others are shown as sent. */
export function passwordReason(t: T, message: string): string {
  const m = message.toLowerCase();
  if (m.includes('at least')) return t('pw.short');
  if (m.includes('same as the login')) return t('pw.sameAsLogin');
  if (m.includes('too common')) return t('pw.common');
  return t('pw.rejected', { reason: message });
}

/**
 * errorText turns any failure into a sentence in the user's language. Codes
 * with a fixed meaning are translated; codes whose server sentence carries
 * the specifics (invalid, conflict, unprocessable) show that sentence.
 */
export function errorText(t: T, err: unknown): string {
  if (!(err instanceof ApiError)) {
    if (err instanceof Error && err.message) return t('err.generic', { message: err.message });
    return t('err.internal');
  }
  switch (err.code) {
    case 'network':
      return t('err.network');
    case 'forbidden':
      return t('err.forbidden');
    case 'not_found':
      return missingEndpoint(err) ? t('err.notAvailable') : err.message || t('err.notFound');
    case 'rate_limited':
      return t('err.rateLimited', { seconds: Math.max(1, err.retryAfter) });
    case 'too_large':
      return t('err.tooLarge');
    case 'window_closed':
      return t('err.windowClosed');
    case 'unavailable':
      return t('err.unavailable');
    case 'unauthorized':
      return err.message || t('err.unauthorized');
    case 'password_policy':
      return passwordReason(t, err.message);
    case 'internal':
      return err.status === 405 || err.status === 501 ? t('err.notAvailable') : t('err.internal');
  }
  return err.message || t('err.internal');
}

const noSuchEndpoint = 'No such API endpoint.';

/** missingEndpoint reports whether a call failed because the server does not have the endpoint yet. */
export function missingEndpoint(err: unknown): boolean {
  if (!(err instanceof ApiError)) return false;
  // The server answers unknown /api paths with this sentence; a proxy with no JSON at all.
  if (err.status === 404) return !err.message || err.message === noSuchEndpoint;
  return err.status === 405 || err.status === 501;
}
