import type { ComposerActivity } from '../api/types';
import { useI18n, type T } from '../i18n';
import { useWriters } from '../state/composerActivity';

/** writersText words who else is writing: one person's reply or note, or several names. */
export function writersText(t: T, list: ComposerActivity[], locale: string): string {
  if (list.length === 0) return '';
  const [one] = list;
  if (list.length === 1 && one) return t(one.kind === 'note' ? 'writers.note' : 'writers.typing', { name: one.user_name });
  const names = new Intl.ListFormat(locale, { type: 'conjunction' }).format(list.map((x) => x.user_name));
  return t('writers.several', { names });
}

/** ComposerWriters shows, above the composer, that a colleague is writing in this conversation. */
export function ComposerWriters({ convId }: { convId: string }) {
  const { t, locale } = useI18n();
  const list = useWriters(convId);
  const text = writersText(t, list, locale);
  return (
    <p className="composer-writers" role="status" aria-live="polite" data-testid="composer-writers" hidden={!text}>
      {text}
    </p>
  );
}
