import { useEffect, useState } from 'react';
import { api } from '../../api/endpoints';
import type { Channel, DeadLetter } from '../../api/types';
import { useI18n, type Key } from '../../i18n';
import { channelName, deadLetterKind, sortDeadLetters } from '../../lib/deadletters';
import { errorText, missingEndpoint } from '../../lib/errors';
import { dateTime } from '../../lib/format';
import { ErrorBox, Spinner } from '../common';
import { useToasts } from '../Toasts';

/**
 * DeadLetters lists the webhook events the server could not apply (GET
 * /api/v1/dead-letters) and replays one after a fix. It shows only what the
 * API returns: times, channel, reason and attempts, never customer content.
 */
export function DeadLetters({ channels }: { channels: Channel[] | null }) {
  const { t, locale } = useI18n();
  const toasts = useToasts();
  const [items, setItems] = useState<DeadLetter[] | null>(null);
  const [error, setError] = useState('');
  const [confirm, setConfirm] = useState<number | null>(null);
  const [busy, setBusy] = useState(false);

  const load = () => {
    api
      .deadLetters()
      .then((p) => {
        setItems(sortDeadLetters(p.items ?? []));
        setError('');
      })
      .catch((err: unknown) => {
        setItems([]);
        setError(missingEndpoint(err) ? t('err.notAvailable') : errorText(t, err));
      });
  };
  // Once on mount: load is new in each render (it reads t), and a language change needs no reload.
  // eslint-disable-next-line react-hooks/exhaustive-deps
  useEffect(load, []);

  const replay = async (id: number) => {
    setBusy(true);
    try {
      await api.replayDeadLetter(id);
      toasts.show({ text: t('deadLetters.replayed', { id }), tone: 'success' });
      setConfirm(null);
      load();
    } catch (err) {
      toasts.show({ text: errorText(t, err), tone: 'error' });
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card" aria-labelledby="dead-letters-title" data-testid="dead-letters">
      <div className="card-head">
        <h2 id="dead-letters-title">{t('deadLetters.title')}</h2>
        <button type="button" className="btn btn-small" onClick={load}>
          {t('deadLetters.refresh')}
        </button>
      </div>
      <p className="hint">{t('deadLetters.intro')}</p>
      <ErrorBox text={error} />
      {items === null && <Spinner label={t('common.loading')} />}
      {items && items.length === 0 && !error && (
        <p className="hint" data-testid="dead-letters-empty">
          {t('deadLetters.empty')}
        </p>
      )}
      {items && items.length > 0 && (
        <ul className="dead-letters">
          {items.map((d) => (
            <li key={d.id} data-testid="dead-letter">
              <dl className="kv">
                <dt>{t('deadLetters.at')}</dt>
                <dd>
                  <time dateTime={d.dead_at}>{dateTime(d.dead_at, locale)}</time>
                </dd>
                <dt>{t('deadLetters.channel')}</dt>
                <dd>{channelName(channels, d.channel_id)}</dd>
                <dt>{t('deadLetters.summary')}</dt>
                <dd>
                  {t(`deadLetters.kind.${deadLetterKind(d.reason)}` as Key)}{' '}
                  <span className="hint">({t('deadLetters.attempts', { n: d.attempts })})</span>
                </dd>
                <dt>{t('deadLetters.reason')}</dt>
                <dd>
                  <code>{d.reason}</code>
                </dd>
              </dl>
              {confirm === d.id ? (
                <div className="confirm-row" role="group" aria-label={t('deadLetters.replay')}>
                  <p>{t('deadLetters.replayConfirm')}</p>
                  <button type="button" className="btn btn-primary" disabled={busy} onClick={() => void replay(d.id)}>
                    {t('deadLetters.replayYes')}
                  </button>
                  <button type="button" className="btn" onClick={() => setConfirm(null)}>
                    {t('common.cancel')}
                  </button>
                </div>
              ) : (
                <div className="card-actions">
                  <button type="button" className="btn btn-small" onClick={() => setConfirm(d.id)}>
                    {t('deadLetters.replay')}
                  </button>
                </div>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
