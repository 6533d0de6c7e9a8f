import { useEffect, useState } from 'react';
import { api } from '../../api/endpoints';
import type { Channel, WebhookDelivery, WebhookInput, WebhookSubscription } from '../../api/types';
import { useI18n } from '../../i18n';
import { errorText, missingEndpoint } from '../../lib/errors';
import { dateTime } from '../../lib/format';
import { ErrorBox, Spinner } from '../common';
import { useToasts } from '../Toasts';

/** The event types and families a subscription may name (docs/automation.md). */
export const webhookEvents = [
  'message.created',
  'message.updated',
  'conversation.*',
  'conversation.created',
  'conversation.updated',
  'conversation.deleted',
  'assignment.*',
  'handoff.*',
  'handoff.bot_turn',
  'suggestion.*',
];

/**
 * Webhooks manages outgoing webhook subscriptions (channels.manage): create,
 * edit, pause, delete, rotate the secret (shown once), and the delivery log
 * with redeliver.
 */
export function Webhooks({ channels }: { channels: Channel[] | null }) {
  const { t } = useI18n();
  const toasts = useToasts();
  const [items, setItems] = useState<WebhookSubscription[] | null>(null);
  const [error, setError] = useState('');
  const [editing, setEditing] = useState<WebhookSubscription | 'new' | null>(null);
  const [secret, setSecret] = useState<{ id: string; secret: string } | null>(null);
  const [log, setLog] = useState<string | null>(null);
  const [confirm, setConfirm] = useState<string | null>(null);

  const load = () => {
    api
      .webhooks()
      .then((p) => {
        setItems(p.items ?? []);
        setError('');
      })
      .catch((err: unknown) => {
        setItems([]);
        setError(missingEndpoint(err) ? t('err.notAvailable') : errorText(t, err));
      });
  };
  // eslint-disable-next-line react-hooks/exhaustive-deps
  useEffect(load, []);

  const act = async (f: () => Promise<unknown>) => {
    try {
      await f();
      load();
    } catch (err) {
      toasts.show({ text: errorText(t, err), tone: 'error' });
    }
  };

  return (
    <section className="card" aria-labelledby="webhooks-title" data-testid="webhooks">
      <div className="card-head">
        <h2 id="webhooks-title">{t('webhooks.title')}</h2>
        <button type="button" className="btn btn-small" onClick={() => setEditing('new')}>
          {t('webhooks.add')}
        </button>
      </div>
      <p className="hint">{t('webhooks.intro')}</p>
      <ErrorBox text={error} />
      {items === null && <Spinner label={t('common.loading')} />}
      {items && items.length === 0 && !error && <p className="hint">{t('webhooks.empty')}</p>}
      {secret && (
        <div className="notice" role="status" data-testid="webhook-secret">
          <p>{t('webhooks.secretOnce')}</p>
          <code>{secret.secret}</code>{' '}
          <button type="button" className="btn btn-small" onClick={() => setSecret(null)}>
            {t('webhooks.secretDone')}
          </button>
        </div>
      )}
      {editing && (
        <WebhookForm
          sub={editing === 'new' ? null : editing}
          channels={channels}
          onDone={(saved) => {
            setEditing(null);
            if (saved?.secret) setSecret({ id: saved.id, secret: saved.secret });
            load();
          }}
        />
      )}
      <ul className="dead-letters">
        {(items ?? []).map((w) => (
          <li key={w.id} data-testid="webhook">
            <dl className="kv">
              <dt>{t('webhooks.url')}</dt>
              <dd>
                <code>{w.url}</code> {!w.active && <span className="hint">({t('webhooks.paused')})</span>}
              </dd>
              {w.description && (
                <>
                  <dt>{t('webhooks.description')}</dt>
                  <dd>{w.description}</dd>
                </>
              )}
              <dt>{t('webhooks.events')}</dt>
              <dd>{w.events.join(', ')}</dd>
              <dt>{t('webhooks.channels')}</dt>
              <dd>
                {w.all_channels
                  ? t('webhooks.allChannels')
                  : w.channel_ids.map((id) => channels?.find((c) => c.id === id)?.name ?? id).join(', ')}
              </dd>
            </dl>
            <div className="card-actions">
              <button type="button" className="btn btn-small" onClick={() => setEditing(w)}>
                {t('webhooks.edit')}
              </button>
              <button type="button" className="btn btn-small" onClick={() => void act(() => api.updateWebhook(w.id, { active: !w.active }))}>
                {w.active ? t('webhooks.pause') : t('webhooks.resume')}
              </button>
              <button
                type="button"
                className="btn btn-small"
                onClick={() =>
                  void act(async () => {
                    const r = await api.rotateWebhookSecret(w.id);
                    if (r.secret) setSecret({ id: r.id, secret: r.secret });
                  })
                }
              >
                {t('webhooks.rotate')}
              </button>
              <button type="button" className="btn btn-small" onClick={() => setLog(log === w.id ? null : w.id)}>
                {t('webhooks.log')}
              </button>
              {confirm === w.id ? (
                <>
                  <button type="button" className="btn btn-small btn-danger" onClick={() => void act(() => api.deleteWebhook(w.id))}>
                    {t('webhooks.deleteYes')}
                  </button>
                  <button type="button" className="btn btn-small" onClick={() => setConfirm(null)}>
                    {t('common.cancel')}
                  </button>
                </>
              ) : (
                <button type="button" className="btn btn-small" onClick={() => setConfirm(w.id)}>
                  {t('common.delete')}
                </button>
              )}
            </div>
            {log === w.id && <DeliveryLog sub={w} />}
          </li>
        ))}
      </ul>
    </section>
  );
}

function WebhookForm({
  sub,
  channels,
  onDone,
}: {
  sub: WebhookSubscription | null;
  channels: Channel[] | null;
  onDone: (saved: WebhookSubscription | null) => void;
}) {
  const { t } = useI18n();
  const [url, setUrl] = useState(sub?.url ?? 'https://');
  const [description, setDescription] = useState(sub?.description ?? '');
  const [events, setEvents] = useState<string[]>(sub?.events ?? ['message.created']);
  const [chans, setChans] = useState<string[]>(sub && !sub.all_channels ? sub.channel_ids : []);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const toggle = (list: string[], v: string) => (list.includes(v) ? list.filter((x) => x !== v) : [...list, v]);

  const save = async () => {
    setBusy(true);
    try {
      const body = { url, description, events, channel_ids: chans } as WebhookInput;
      const saved = sub ? await api.updateWebhook(sub.id, body) : await api.createWebhook(body);
      onDone(saved);
    } catch (err) {
      setError(errorText(t, err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form
      className="stack"
      data-testid="webhook-form"
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <label>
        {t('webhooks.url')}
        <input type="url" required value={url} maxLength={2048} onChange={(e) => setUrl(e.target.value)} />
      </label>
      <label>
        {t('webhooks.description')}
        <input value={description} maxLength={200} onChange={(e) => setDescription(e.target.value)} />
      </label>
      <fieldset>
        <legend>{t('webhooks.events')}</legend>
        {webhookEvents.map((ev) => (
          <label key={ev} className="check">
            <input type="checkbox" checked={events.includes(ev)} onChange={() => setEvents(toggle(events, ev))} /> <code>{ev}</code>
          </label>
        ))}
      </fieldset>
      <fieldset>
        <legend>{t('webhooks.channels')}</legend>
        <p className="hint">{t('webhooks.channelsHint')}</p>
        {(channels ?? []).map((c) => (
          <label key={c.id} className="check">
            <input type="checkbox" checked={chans.includes(c.id)} onChange={() => setChans(toggle(chans, c.id))} /> {c.name}
          </label>
        ))}
      </fieldset>
      <ErrorBox text={error} />
      <div className="card-actions">
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {t('common.save')}
        </button>
        <button type="button" className="btn" onClick={() => onDone(null)}>
          {t('common.cancel')}
        </button>
      </div>
    </form>
  );
}

function DeliveryLog({ sub }: { sub: WebhookSubscription }) {
  const { t, locale } = useI18n();
  const toasts = useToasts();
  const [items, setItems] = useState<WebhookDelivery[] | null>(null);
  const load = () => {
    api
      .webhookDeliveries(sub.id)
      .then((p) => setItems(p.items ?? []))
      .catch((err: unknown) => {
        setItems([]);
        toasts.show({ text: errorText(t, err), tone: 'error' });
      });
  };
  // eslint-disable-next-line react-hooks/exhaustive-deps
  useEffect(load, [sub.id]);
  const redeliver = async (id: string) => {
    try {
      await api.redeliverWebhook(sub.id, id);
      toasts.show({ text: t('webhooks.redelivered'), tone: 'success' });
      load();
    } catch (err) {
      toasts.show({ text: errorText(t, err), tone: 'error' });
    }
  };
  if (items === null) return <Spinner label={t('common.loading')} />;
  if (items.length === 0) return <p className="hint">{t('webhooks.logEmpty')}</p>;
  return (
    <table className="table" data-testid="webhook-log">
      <thead>
        <tr>
          <th>{t('webhooks.logEvent')}</th>
          <th>{t('webhooks.logState')}</th>
          <th>{t('webhooks.logStatus')}</th>
          <th>{t('webhooks.logAttempts')}</th>
          <th>{t('webhooks.logNext')}</th>
          <th />
        </tr>
      </thead>
      <tbody>
        {items.map((d) => (
          <tr key={d.id} data-testid="webhook-delivery">
            <td>
              <code>{d.event_type}</code>
              <div className="hint">{dateTime(d.created_at, locale)}</div>
            </td>
            <td>{t(`webhooks.state.${d.state}`)}</td>
            <td>
              {d.last_status || '—'} {(d.last_latency_ms ?? 0) > 0 && <span className="hint">{d.last_latency_ms} ms</span>}
              {d.last_error && <div className="hint">{d.last_error}</div>}
            </td>
            <td>{d.attempts}</td>
            <td>{d.state === 'pending' && d.next_attempt_at ? dateTime(d.next_attempt_at, locale) : '—'}</td>
            <td>
              <button type="button" className="btn btn-small" onClick={() => void redeliver(d.id)}>
                {t('webhooks.redeliver')}
              </button>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
