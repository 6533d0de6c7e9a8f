import { useEffect, useRef, useState, type FormEvent } from 'react';
import { api } from '../../api/endpoints';
import type { Channel, ChannelHealth, ChannelInput, Me, ServiceAccount } from '../../api/types';
import { useI18n, type Key } from '../../i18n';
import { errorText, missingEndpoint } from '../../lib/errors';
import { dateTime } from '../../lib/format';
import { formatDays, maxRetentionDays, retentionField, retentionInput } from '../../lib/retention';
import { Dialog, ErrorBox, Field, Spinner } from '../common';
import { DeadLetters } from './DeadLetters';
import { Webhooks } from './Webhooks';
import { useToasts } from '../Toasts';

/** outboxWarnAt is the outbox depth above which sending is probably failing. */
export const outboxWarnAt = 50;

export type HealthWarning = 'token' | 'outbox' | 'templates' | 'server';

/** healthWarnings lists what an administrator should look at for a channel. */
export function healthWarnings(h: ChannelHealth | undefined): HealthWarning[] {
  if (!h) return [];
  const out: HealthWarning[] = [];
  const token = (h.token_state ?? '').toLowerCase();
  if ((token && token !== 'valid' && token !== 'ok' && token !== 'unknown') || h.token_error) out.push('token');
  if ((h.outbox_depth ?? 0) > outboxWarnAt) out.push('outbox');
  if (h.template_sync_error) out.push('templates');
  if (h.warning) out.push('server');
  return out;
}

/** when returns an ISO time, or '' for none: Go sends its zero time (year 1) for "never". */
export function when(iso: string | null | undefined): string {
  if (!iso) return '';
  const t = Date.parse(iso);
  return Number.isFinite(t) && t > 0 ? iso : '';
}

/** randomToken suggests a verify token the administrator copies into Meta's dashboard. */
export function randomToken(): string {
  const b = new Uint8Array(18);
  crypto.getRandomValues(b);
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

/** healthOf reads a channel's health, nested under "health" or as top-level fields of GET /channels/{id}. */
export function healthOf(c: Channel): ChannelHealth | undefined {
  if (c.health) return c.health;
  const flat = c as Channel & ChannelHealth;
  const keys = ['last_webhook_at', 'last_send_at', 'token_state', 'outbox_depth', 'warning'] as const;
  if (!keys.some((k) => flat[k] !== undefined)) return undefined;
  return {
    last_webhook_at: flat.last_webhook_at,
    last_send_at: flat.last_send_at,
    ...(flat.token_state !== undefined ? { token_state: flat.token_state } : {}),
    ...(flat.token_error !== undefined ? { token_error: flat.token_error } : {}),
    ...(flat.outbox_depth !== undefined ? { outbox_depth: flat.outbox_depth } : {}),
    ...(flat.warning !== undefined ? { warning: flat.warning } : {}),
  };
}

export function webhookURL(origin: string): string {
  return `${origin.replace(/\/+$/, '')}/webhooks/whatsapp`;
}

export function Channels({ me }: { me: Me }) {
  const { t } = useI18n();
  const [channels, setChannels] = useState<Channel[] | null>(null);
  const [error, setError] = useState('');
  const [editing, setEditing] = useState<Channel | 'new' | null>(null);

  const load = () => {
    api
      .channels()
      .then((p) => setChannels(p.items ?? []))
      .catch((err: unknown) => {
        setChannels([]);
        setError(missingEndpoint(err) ? t('err.notAvailable') : errorText(t, err));
      });
  };
  // Once on mount: load is new in each render (it reads t), and a language change needs no reload.
  // eslint-disable-next-line react-hooks/exhaustive-deps
  useEffect(load, []);

  // The server knows its configured public URL; before any channel exists, this page's origin is the best guess.
  const hook = channels?.find((c) => c.webhook_url)?.webhook_url ?? webhookURL(location.origin);

  return (
    <div className="page">
      <div className="page-head">
        <h1>{t('channels.title')}</h1>
        <button type="button" className="btn btn-primary" onClick={() => setEditing('new')}>
          + {t('channels.new')}
        </button>
      </div>
      <p className="hint">{t('channels.intro')}</p>
      <section className="card">
        <h2>{t('channels.webhook')}</h2>
        <p>
          <code className="copyable" data-testid="webhook-url">
            {hook}
          </code>{' '}
          <CopyButton text={hook} />
        </p>
        <p className="hint">{t('channels.webhookHint')}</p>
      </section>
      <ErrorBox text={error} />
      {channels === null && <Spinner label={t('common.loading')} />}
      {channels && channels.length === 0 && !error && <p className="hint">{t('channels.empty')}</p>}
      <div className="cards cards-wide">
        {(channels ?? []).map((c) => (
          <ChannelCard key={c.id} channel={c} onEdit={() => setEditing(c)} />
        ))}
      </div>
      {/* The route needs channels.manage already; the API answers 403 without it, so do not even ask. */}
      {me.role.permissions.includes('channels.manage') && <DeadLetters channels={channels} />}
      {me.role.permissions.includes('channels.manage') && <Webhooks channels={channels} />}
      {editing && (
        <ChannelDialog
          channel={editing === 'new' ? null : editing}
          onClose={() => setEditing(null)}
          onSaved={() => {
            setEditing(null);
            load();
          }}
        />
      )}
    </div>
  );
}

function CopyButton({ text }: { text: string }) {
  const { t } = useI18n();
  const toasts = useToasts();
  return (
    <button
      type="button"
      className="btn btn-small"
      onClick={() => {
        navigator.clipboard?.writeText(text).then(
          () => toasts.show({ text: t('common.copied') }),
          () => {},
        );
      }}
    >
      {t('common.copy')}
    </button>
  );
}

function ChannelCard({ channel, onEdit }: { channel: Channel; onEdit: () => void }) {
  const { t, locale } = useI18n();
  const toasts = useToasts();
  const [health, setHealth] = useState<ChannelHealth | undefined>(channel.health);
  const [healthError, setHealthError] = useState('');
  const [syncing, setSyncing] = useState(false);

  useEffect(() => {
    api
      .channel(channel.id)
      .then((c) => setHealth(healthOf(c)))
      .catch((err: unknown) => setHealthError(errorText(t, err)));
  }, [channel.id, t]);

  const sync = async () => {
    setSyncing(true);
    try {
      const r = await api.syncTemplates(channel.id);
      toasts.show({
        text: r && Array.isArray(r.items) ? t('channels.syncedN', { n: r.items.length }) : t('channels.synced'),
        tone: 'success',
      });
      api
        .channel(channel.id)
        .then((c) => setHealth(healthOf(c)))
        .catch(() => {});
    } catch (err) {
      toasts.show({ text: errorText(t, err), tone: 'error' });
    } finally {
      setSyncing(false);
    }
  };

  const warnings = healthWarnings(health);

  return (
    <article className="card" data-testid="channel-card">
      <div className="card-head">
        <h2>{channel.name}</h2>
        {channel.emulated && <span className="tag">{t('channels.emulated')}</span>}
      </div>
      <dl className="kv">
        {channel.webhook_url && (
          <>
            <dt>{t('channels.webhook')}</dt>
            <dd>
              <code>{channel.webhook_url}</code>
            </dd>
          </>
        )}
        <dt>{t('channels.phone')}</dt>
        <dd>{channel.display_phone_number}</dd>
        <dt>{t('channels.phoneNumberId')}</dt>
        <dd>
          <code>{channel.phone_number_id}</code>
        </dd>
        <dt>{t('channels.wabaId')}</dt>
        <dd>
          <code>{channel.waba_id}</code>
        </dd>
        {channel.retention_days !== undefined && (
          <>
            <dt>{t('channels.retentionLabel')}</dt>
            <dd data-testid="channel-retention">
              {channel.retention_days > 0 ? formatDays(channel.retention_days, locale) : t('channels.retentionOff')}
            </dd>
          </>
        )}
      </dl>
      <h3>{t('channels.health')}</h3>
      {healthError && <p className="hint">{healthError}</p>}
      {health && (
        <dl className="kv">
          <dt>{t('channels.lastWebhook')}</dt>
          <dd>{when(health.last_webhook_at) ? dateTime(health.last_webhook_at, locale) : t('channels.never')}</dd>
          <dt>{t('channels.lastSend')}</dt>
          <dd>{when(health.last_send_at) ? dateTime(health.last_send_at, locale) : t('channels.never')}</dd>
          <dt>{t('channels.tokenState')}</dt>
          <dd>
            {health.token_state
              ? ['unknown', 'valid', 'rejected'].includes(health.token_state)
                ? t(`channels.token.${health.token_state}` as Key)
                : health.token_state
              : '—'}
            {health.token_error && <span className="hint"> — {health.token_error}</span>}
          </dd>
          <dt>{t('channels.templatesSynced')}</dt>
          <dd>
            {when(health.templates_synced_at) ? dateTime(health.templates_synced_at, locale) : t('channels.never')}
            {health.template_sync_error && <span className="hint"> — {health.template_sync_error}</span>}
          </dd>
          <dt>{t('channels.outbox')}</dt>
          <dd>{health.outbox_depth ?? 0}</dd>
          {health.webhook_queue_depth !== undefined && (
            <>
              <dt>{t('channels.webhookQueue')}</dt>
              <dd>{health.webhook_queue_depth}</dd>
            </>
          )}
        </dl>
      )}
      {warnings.length > 0 && (
        <div className="banner banner-warn" role="status">
          <strong>{t('channels.healthWarning')}: </strong>
          {warnings.includes('token') && <span>{t('channels.tokenWarning')} </span>}
          {warnings.includes('outbox') && <span>{t('channels.outboxWarning')} </span>}
          {warnings.includes('templates') && <span>{t('channels.templatesWarning')} </span>}
          {warnings.includes('server') && <span>{health?.warning}</span>}
        </div>
      )}
      <div className="card-actions">
        <button type="button" className="btn btn-small" onClick={onEdit}>
          {t('common.edit')}
        </button>
        <button type="button" className="btn btn-small" onClick={() => void sync()} disabled={syncing}>
          {t('channels.syncTemplates')}
        </button>
      </div>
    </article>
  );
}

function ChannelDialog({ channel, onClose, onSaved }: { channel: Channel | null; onClose: () => void; onSaved: () => void }) {
  const { t } = useI18n();
  const toasts = useToasts();
  const [f, setF] = useState<ChannelInput>({
    name: channel?.name ?? '',
    display_phone_number: channel?.display_phone_number ?? '',
    phone_number_id: channel?.phone_number_id ?? '',
    waba_id: channel?.waba_id ?? '',
    graph_url: channel?.graph_url ?? '',
    mark_read: channel?.mark_read ?? true,
    access_token: '',
    app_secret: '',
    // A new channel gets a suggested verify token, shown once so it can be copied into Meta's dashboard.
    verify_token: channel ? '' : randomToken(),
  });
  // The bot agent: offered when the bot service accounts can be listed (users.manage).
  const [bots, setBots] = useState<ServiceAccount[] | null>(null);
  const [botAgent, setBotAgent] = useState(channel?.bot_agent_id ?? '');
  useEffect(() => {
    let live = true;
    api
      .serviceAccounts()
      .then((p) => {
        if (live) setBots((p.items ?? []).filter((sa) => sa.bot));
      })
      .catch(() => {});
    return () => {
      live = false;
    };
  }, []);
  const [retention, setRetention] = useState(retentionInput(channel?.retention_days));
  const [retentionError, setRetentionError] = useState('');
  const retentionRef = useRef<HTMLInputElement>(null);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const set = (k: keyof ChannelInput, v: string | boolean) => setF((x) => ({ ...x, [k]: v }));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const kept = retentionField(channel?.retention_days, retention);
    if (!kept.ok) {
      setRetentionError(t('channels.retentionInvalid', { max: maxRetentionDays }));
      retentionRef.current?.focus();
      return;
    }
    setRetentionError('');
    setBusy(true);
    setError('');
    // Secrets are write-only: empty means "keep what is stored".
    const body: ChannelInput = { ...f, ...kept.patch };
    if (bots !== null && (channel ? botAgent !== (channel.bot_agent_id ?? '') : botAgent)) body.bot_agent_id = botAgent;
    for (const k of ['access_token', 'app_secret', 'verify_token'] as const) if (!body[k]) delete body[k];
    if (channel) delete body.phone_number_id;
    try {
      const saved = channel ? await api.updateChannel(channel.id, body) : await api.createChannel(body);
      toasts.show({ text: t(channel ? 'channels.savedToast' : 'channels.createdToast', { name: saved.name }), tone: 'success' });
      onSaved();
    } catch (err) {
      setError(errorText(t, err));
    } finally {
      setBusy(false);
    }
  };

  const text = (
    k: keyof ChannelInput,
    label: string,
    opts: { hint?: string; secret?: boolean; disabled?: boolean; required?: boolean } = {},
  ) => (
    <Field label={label} hint={opts.hint}>
      {(id, d) => (
        <input
          id={id}
          aria-describedby={d}
          type={opts.secret ? 'password' : 'text'}
          autoComplete={opts.secret ? 'new-password' : 'off'}
          value={String(f[k] ?? '')}
          onChange={(e) => set(k, e.target.value)}
          disabled={opts.disabled}
          required={opts.required}
          spellCheck={false}
        />
      )}
    </Field>
  );

  const secretHint = channel ? t('channels.secretHint') : t('channels.secretNewHint');

  return (
    <Dialog title={channel ? t('channels.edit', { name: channel.name }) : t('channels.new')} onClose={onClose} wide>
      <form onSubmit={submit} className="grid-form">
        {text('name', t('channels.name'), { required: true })}
        {text('display_phone_number', t('channels.phone'))}
        {text('phone_number_id', t('channels.phoneNumberId'), { disabled: !!channel, required: true })}
        {text('waba_id', t('channels.wabaId'))}
        {text('graph_url', t('channels.graphUrl'), { hint: t('channels.graphUrlHint') })}
        {text('access_token', t('channels.accessToken'), { secret: true, hint: secretHint, required: !channel })}
        {text('app_secret', t('channels.appSecret'), { secret: true, hint: secretHint, required: !channel })}
        {channel
          ? text('verify_token', t('channels.verifyToken'), { secret: true, hint: secretHint })
          : text('verify_token', t('channels.verifyToken'), { hint: t('channels.verifyTokenNewHint'), required: true })}
        {/* An older server's channels have no retention_days: nothing to edit there. */}
        {(!channel || channel.retention_days !== undefined) && (
          <Field label={t('channels.retention')} hint={t('channels.retentionHint')} error={retentionError}>
            {(id, d) => (
              // Text with a numeric keyboard rather than type=number: the
              // browser's own range messages would not follow the app's language.
              <input
                id={id}
                ref={retentionRef}
                aria-describedby={d}
                aria-invalid={retentionError ? true : undefined}
                type="text"
                inputMode="numeric"
                autoComplete="off"
                placeholder="0"
                value={retention}
                onChange={(e) => {
                  setRetention(e.target.value);
                  setRetentionError('');
                }}
              />
            )}
          </Field>
        )}
        {bots !== null && (bots.length > 0 || botAgent) && (
          <Field label={t('channels.botAgent')} hint={t('channels.botAgentHint')}>
            {(id, d) => (
              <select id={id} aria-describedby={d} value={botAgent} onChange={(e) => setBotAgent(e.target.value)}>
                <option value="">{t('channels.botNone')}</option>
                {bots.map((b) => (
                  <option key={b.user.id} value={b.user.id}>
                    {b.user.name}
                  </option>
                ))}
              </select>
            )}
          </Field>
        )}
        <label className="check span-2">
          <input type="checkbox" checked={!!f.mark_read} onChange={(e) => set('mark_read', e.target.checked)} />
          {t('channels.markRead')}
        </label>
        <div className="span-2">
          <ErrorBox text={error} />
        </div>
        <div className="dialog-actions span-2">
          <button type="button" className="btn" onClick={onClose}>
            {t('common.cancel')}
          </button>
          <button type="submit" className="btn btn-primary" disabled={busy}>
            {channel ? t('common.save') : t('common.create')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
