import { useEffect, useRef, useState, type FormEvent } from 'react';
import { ChannelRouting } from './ChannelRouting';
import { api } from '../../api/endpoints';
import type { Channel, ChannelHealth, ChannelInput, ChannelNotice, Me, ServiceAccount } from '../../api/types';
import { useI18n, type Key } from '../../i18n';
import { errorText, missingEndpoint } from '../../lib/errors';
import { dateTime } from '../../lib/format';
import { formatDays, maxRetentionDays, retentionField, retentionInput } from '../../lib/retention';
import { defaultHandoffRules, handoffRulesField, maxBotFailures } from '../../lib/handoffRules';
import { hoursForm, parseHoursForm, sameHours, summary, weekdayNames, type HoursForm } from '../../lib/businessHours';
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

/** Notices lists the newest account alerts, account updates, capability and number quality changes Meta sent for a channel. */
function Notices({ notices }: { notices: ChannelNotice[] }) {
  const { t, locale } = useI18n();
  return (
    <>
      <h3>{t('channels.notices')}</h3>
      {notices.length === 0 ? (
        <p className="hint">{t('channels.noNotices')}</p>
      ) : (
        <ul className="notices" data-testid="channel-notices">
          {notices.map((n) => (
            <li key={n.id} className={`notice notice-${n.severity.toLowerCase()}`}>
              <span className="tag">{t(`notice.${n.severity}` as Key)}</span> <strong>{t(`notice.${n.field}` as Key)}</strong>: {n.kind}
              {n.summary && <span> — {n.summary}</span>}{' '}
              <time className="hint" dateTime={n.at}>
                {dateTime(n.at, locale)}
              </time>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

function ChannelCard({ channel, onEdit }: { channel: Channel; onEdit: () => void }) {
  const { t, locale } = useI18n();
  const toasts = useToasts();
  const [health, setHealth] = useState<ChannelHealth | undefined>(channel.health);
  const [notices, setNotices] = useState<ChannelNotice[] | undefined>(channel.notices);
  const [healthError, setHealthError] = useState('');
  const [syncing, setSyncing] = useState(false);

  useEffect(() => {
    const load = () =>
      api
        .channel(channel.id)
        .then((c) => {
          setHealth(healthOf(c));
          setNotices(c.notices);
        })
        .catch((err: unknown) => setHealthError(errorText(t, err)));
    void load();
    // A live notice (account alert, number quality, …) reloads the card.
    const onNotice = (e: Event) => {
      if ((e as CustomEvent<ChannelNotice>).detail?.channel_id === channel.id) void load();
    };
    window.addEventListener('switchboard:channel-notice', onNotice);
    return () => window.removeEventListener('switchboard:channel-notice', onNotice);
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
        {channel.coexistence !== undefined && (
          <>
            <dt>{t('channels.coexistenceLabel')}</dt>
            <dd>{channel.coexistence ? t('channels.coexistenceOn') : t('channels.coexistenceOff')}</dd>
          </>
        )}
        {channel.retention_days !== undefined && (
          <>
            <dt>{t('channels.retentionLabel')}</dt>
            <dd data-testid="channel-retention">
              {channel.retention_days > 0 ? formatDays(channel.retention_days, locale) : t('channels.retentionOff')}
            </dd>
          </>
        )}
        {channel.business_hours !== undefined && (
          <>
            <dt>{t('channels.businessHours')}</dt>
            <dd data-testid="channel-business-hours">
              {channel.business_hours
                ? `${summary(channel.business_hours, weekdayNames(locale))} (${channel.business_hours.time_zone})`
                : t('channels.businessHoursNone')}
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
      {health && <Notices notices={notices ?? []} />}
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
  const { t, locale } = useI18n();
  const toasts = useToasts();
  const [f, setF] = useState<ChannelInput>({
    name: channel?.name ?? '',
    display_phone_number: channel?.display_phone_number ?? '',
    phone_number_id: channel?.phone_number_id ?? '',
    waba_id: channel?.waba_id ?? '',
    graph_url: channel?.graph_url ?? '',
    mark_read: channel?.mark_read ?? true,
    coexistence: channel?.coexistence ?? false,
    welcome_message: channel?.welcome_message ?? '',
    away_message: channel?.away_message ?? '',
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
  const [hours, setHours] = useState<HoursForm>(() =>
    hoursForm(channel?.business_hours, Intl.DateTimeFormat().resolvedOptions().timeZone || 'Europe/Berlin'),
  );
  const [hoursError, setHoursError] = useState('');
  // The hand-off rules: shown while the channel has a bot agent.
  const [ruleHours, setRuleHours] = useState(channel?.handoff_rules?.business_hours ?? false);
  const [ruleFailures, setRuleFailures] = useState(String(channel?.handoff_rules?.bot_failures ?? defaultHandoffRules.bot_failures));
  const [rulesError, setRulesError] = useState('');
  const rulesRef = useRef<HTMLFieldSetElement>(null);
  const hoursRef = useRef<HTMLFieldSetElement>(null);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const set = (k: keyof ChannelInput, v: string | boolean) => setF((x) => ({ ...x, [k]: v }));
  const days = weekdayNames(locale, 'long');

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const kept = retentionField(channel?.retention_days, retention);
    if (!kept.ok) {
      setRetentionError(t('channels.retentionInvalid', { max: maxRetentionDays }));
      retentionRef.current?.focus();
      return;
    }
    setRetentionError('');
    const h = parseHoursForm(hours);
    if (!h.ok) {
      setHoursError(
        typeof h.field === 'number'
          ? t('channels.dayInvalid', { day: days[h.field] ?? '' })
          : t(h.field === 'zone' ? 'channels.zoneInvalid' : h.field === 'holidays' ? 'channels.holidaysInvalid' : 'channels.closedInvalid'),
      );
      const where = typeof h.field === 'number' ? `[data-testid=bh-day-${h.field}]` : h.field === 'holidays' ? 'textarea' : 'input[type=text]';
      hoursRef.current?.querySelector<HTMLElement>(where)?.focus();
      return;
    }
    setHoursError('');
    const rules = handoffRulesField(channel?.handoff_rules, ruleHours, ruleFailures, h.hours !== null);
    if (!rules.ok) {
      setRulesError(t(rules.field === 'hours' ? 'channels.rulesNeedHours' : 'channels.rulesFailuresInvalid', { max: maxBotFailures }));
      rulesRef.current?.querySelector<HTMLElement>(rules.field === 'hours' ? 'input[type=checkbox]' : 'input[type=text]')?.focus();
      return;
    }
    setRulesError('');
    setBusy(true);
    setError('');
    // Secrets are write-only: empty means "keep what is stored".
    const body: ChannelInput = { ...f, ...kept.patch, ...rules.patch };
    // Business hours are sent only when they changed (null removes them).
    if (!sameHours(channel?.business_hours, h.hours)) body.business_hours = h.hours;
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
        <div className="span-2">
          <Field label={t('channels.welcome')} hint={t('channels.welcomeHint')}>
            {(id, d) => (
              <textarea
                id={id}
                aria-describedby={d}
                rows={3}
                maxLength={1024}
                value={f.welcome_message ?? ''}
                onChange={(e) => set('welcome_message', e.target.value)}
                data-testid="channel-welcome"
              />
            )}
          </Field>
        </div>
        <div className="span-2">
          <Field label={t('channels.away')} hint={t('channels.awayHint')}>
            {(id, d) => (
              <textarea
                id={id}
                aria-describedby={d}
                rows={3}
                maxLength={1024}
                value={f.away_message ?? ''}
                onChange={(e) => set('away_message', e.target.value)}
                data-testid="channel-away"
              />
            )}
          </Field>
        </div>
        <label className="check span-2">
          <input type="checkbox" checked={!!f.mark_read} onChange={(e) => set('mark_read', e.target.checked)} />
          {t('channels.markRead')}
        </label>
        <fieldset className="span-2 business-hours" ref={hoursRef} aria-describedby="bh-hint">
          <legend>{t('channels.businessHours')}</legend>
          <label className="check">
            <input
              type="checkbox"
              checked={hours.on}
              onChange={(e) => {
                setHours((x) => ({ ...x, on: e.target.checked }));
                setHoursError('');
              }}
            />
            {t('channels.businessHoursOn')}
          </label>
          <p className="hint" id="bh-hint">
            {t('channels.businessHoursHint')}
          </p>
          {hours.on && (
            <div className="grid-form">
              <Field label={t('channels.timeZone')}>
                {(id, d) => (
                  <input
                    id={id}
                    aria-describedby={d}
                    type="text"
                    autoComplete="off"
                    spellCheck={false}
                    value={hours.timeZone}
                    onChange={(e) => setHours((x) => ({ ...x, timeZone: e.target.value }))}
                  />
                )}
              </Field>
              <span />
              {days.map((name, i) => (
                <Field key={name} label={name}>
                  {(id, d) => (
                    <input
                      id={id}
                      aria-describedby={d}
                      type="text"
                      autoComplete="off"
                      spellCheck={false}
                      placeholder="09:00-17:00"
                      data-testid={`bh-day-${i}`}
                      value={hours.days[i] ?? ''}
                      onChange={(e) =>
                        setHours((x) => ({ ...x, days: x.days.map((v, j) => (j === i ? e.target.value : v)) }))
                      }
                    />
                  )}
                </Field>
              ))}
              <div className="span-2">
                <Field label={t('channels.holidays')} hint={t('channels.holidaysHint')}>
                  {(id, d) => (
                    <textarea
                      id={id}
                      aria-describedby={d}
                      rows={2}
                      spellCheck={false}
                      value={hours.holidays}
                      onChange={(e) => setHours((x) => ({ ...x, holidays: e.target.value }))}
                    />
                  )}
                </Field>
              </div>
            </div>
          )}
          {hoursError && (
            <p className="field-error" role="alert">
              {hoursError}
            </p>
          )}
        </fieldset>
        {(botAgent || ruleHours) && (
          <fieldset className="span-2 handoff-rules" ref={rulesRef} aria-describedby="hr-hint" data-testid="handoff-rules">
            <legend>{t('channels.rules')}</legend>
            <p className="hint" id="hr-hint">
              {t('channels.rulesHint')}
            </p>
            <label className="check">
              <input
                type="checkbox"
                checked={ruleHours}
                aria-invalid={rulesError && ruleHours && !hours.on ? true : undefined}
                onChange={(e) => {
                  setRuleHours(e.target.checked);
                  setRulesError('');
                }}
                data-testid="rule-business-hours"
              />
              {t('channels.rulesBusinessHours')}
            </label>
            <Field label={t('channels.rulesFailures')} hint={t('channels.rulesFailuresHint', { max: maxBotFailures })}>
              {(id, d) => (
                // Text with a numeric keyboard, as for retention: the
                // browser's own range messages would not follow the app's language.
                <input
                  id={id}
                  aria-describedby={d}
                  type="text"
                  inputMode="numeric"
                  autoComplete="off"
                  value={ruleFailures}
                  onChange={(e) => {
                    setRuleFailures(e.target.value);
                    setRulesError('');
                  }}
                  data-testid="rule-bot-failures"
                />
              )}
            </Field>
            {rulesError && (
              <p className="field-error" role="alert">
                {rulesError}
              </p>
            )}
          </fieldset>
        )}
        <label className="check span-2">
          <input
            type="checkbox"
            checked={!!f.coexistence}
            onChange={(e) => set('coexistence', e.target.checked)}
            data-testid="channel-coexistence"
          />
          {t('channels.coexistence')}
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
      {channel && <ChannelRouting channelId={channel.id} />}
    </Dialog>
  );
}
