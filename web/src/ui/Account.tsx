import { CannedRepliesPanel } from './CannedReplies';
import { useMemo, useState, type FormEvent } from 'react';
import { ApiError } from '../api/client';
import { api } from '../api/endpoints';
import type { Me } from '../api/types';
import { useI18n } from '../i18n';
import { errorText, passwordReason } from '../lib/errors';
import { askNotificationPermission, beep, notificationSupport, unlockAudio, type NotificationSupport } from '../lib/notify';
import type { NoticeSetting } from '../lib/notices';
import { prefs, type Theme } from '../lib/prefs';
import { ErrorBox, Field } from './common';
import { Icon } from './icons';
import { AvailabilitySelect } from './AvailabilitySelect';
import { LanguageSelect } from './LanguageSelect';
import { TokenPanel, type TokenSource } from './Tokens';
import { PasskeysSection } from './Passkeys';
import { TwoFactorSection } from './TwoFactor';
import { useToasts } from './Toasts';

export function NotificationButton() {
  const { t } = useI18n();
  const [state, setState] = useState<NotificationSupport>(notificationSupport);
  if (state === 'unsupported') return <p className="hint">{t('notify.unsupported')}</p>;
  if (state === 'granted') return <p className="hint">{t('notify.enabled')}</p>;
  if (state === 'denied') return <p className="hint">{t('notify.denied')}</p>;
  return (
    <button type="button" className="btn" onClick={() => void askNotificationPermission().then(setState)}>
      <Icon name="bell" size={18} /> {t('notify.enable')}
    </button>
  );
}

export function Account({ me, onLoggedOut }: { me: Me; onLoggedOut: () => void }) {
  const { t } = useI18n();
  const toasts = useToasts();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [next2, setNext2] = useState('');
  const [pwError, setPwError] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const [confirmAll, setConfirmAll] = useState(false);
  const [theme, setTheme] = useState<Theme>(() => prefs.theme());
  const [sound, setSound] = useState(prefs.sound());
  const [notices, setNotices] = useState<NoticeSetting>(() => prefs.notices(me.user.id));
  const myTokens = useMemo<TokenSource>(() => ({ list: api.myTokens, create: api.createMyToken, revoke: api.revokeMyToken }), []);

  const change = async (e: FormEvent) => {
    e.preventDefault();
    setPwError('');
    setError('');
    if (next !== next2) {
      setPwError(t('setup.mismatch'));
      return;
    }
    setBusy(true);
    try {
      await api.changePassword(current, next);
      toasts.show({ text: t('account.changed'), tone: 'success' });
      onLoggedOut();
    } catch (err) {
      if (err instanceof ApiError && err.code === 'password_policy') setPwError(passwordReason(t, err.message));
      else setError(errorText(t, err));
    } finally {
      setBusy(false);
    }
  };

  const logoutAll = async () => {
    setError('');
    try {
      await api.logoutEverywhere();
      onLoggedOut();
    } catch (err) {
      setError(errorText(t, err));
    }
  };

  return (
    <div className="page">
      <h1>{t('account.title')}</h1>
      <p>{t('account.profile', { name: me.user.name, login: me.user.login, role: me.role.name })}</p>
      <ErrorBox text={error} />

      <section className="card" aria-labelledby="prefs-h">
        <h2 id="prefs-h">{t('account.preferences')}</h2>
        <LanguageSelect />
        <AvailabilitySelect testId="availability-account" />
        <label className="check">
          <input
            type="checkbox"
            checked={sound}
            onChange={(e) => {
              setSound(e.target.checked);
              prefs.setSound(e.target.checked);
              if (e.target.checked) {
                unlockAudio();
                beep();
              }
            }}
          />
          {t('notify.sound')}
        </label>
        <Field label={t('notify.setting')}>
          {(id, d) => (
            <select
              id={id}
              aria-describedby={d}
              value={notices}
              onChange={(e) => {
                const v = e.target.value as NoticeSetting;
                setNotices(v);
                prefs.setNotices(me.user.id, v);
              }}
            >
              <option value="all">{t('notify.all')}</option>
              <option value="mine">{t('notify.mine')}</option>
              <option value="none">{t('notify.none')}</option>
            </select>
          )}
        </Field>
        <NotificationButton />
        <Field label={t('account.themeLabel')}>
          {(id, d) => (
            <select
              id={id}
              aria-describedby={d}
              value={theme}
              onChange={(e) => {
                const v = e.target.value as Theme;
                setTheme(v);
                prefs.setTheme(v);
              }}
            >
              <option value="system">{t('account.themeSystem')}</option>
              <option value="light">{t('account.themeLight')}</option>
              <option value="dark">{t('account.themeDark')}</option>
            </select>
          )}
        </Field>
      </section>

      <section className="card" aria-labelledby="pw-h">
        <h2 id="pw-h">{t('account.password')}</h2>
        <form onSubmit={change} className="form-narrow">
          <input type="text" autoComplete="username" value={me.user.login} readOnly hidden />
          <Field label={t('account.current')}>
            {(id, d) => (
              <input id={id} aria-describedby={d} type="password" autoComplete="current-password" value={current} onChange={(e) => setCurrent(e.target.value)} required />
            )}
          </Field>
          <Field label={t('account.new')} hint={t('pw.rules')} error={pwError}>
            {(id, d) => (
              <input id={id} aria-describedby={d} type="password" autoComplete="new-password" value={next} onChange={(e) => setNext(e.target.value)} required />
            )}
          </Field>
          <Field label={t('account.new2')}>
            {(id, d) => (
              <input id={id} aria-describedby={d} type="password" autoComplete="new-password" value={next2} onChange={(e) => setNext2(e.target.value)} required />
            )}
          </Field>
          <button type="submit" className="btn btn-primary" disabled={busy || !current || !next || !next2}>
            {t('account.change')}
          </button>
        </form>
      </section>

      <section className="card" aria-labelledby="canned-h">
        <h2 id="canned-h">{t('canned.personalTitle')}</h2>
        <p className="hint">{t('canned.personalHint')}</p>
        <CannedRepliesPanel scope="personal" />
      </section>

      <section className="card" aria-labelledby="tokens-h">
        <h2 id="tokens-h">{t('tokens.title')}</h2>
        <p className="hint">{t('tokens.hint')}</p>
        <TokenPanel source={myTokens} scopes={me.role.permissions} testId="my-tokens" />
      </section>

      <TwoFactorSection />

      <PasskeysSection />

      <section className="card" aria-labelledby="sess-h">
        <h2 id="sess-h">{t('account.sessions')}</h2>
        <p className="hint">{t('account.sessionsHint')}</p>
        <div className="card-actions">
          <button type="button" className="btn" onClick={() => void api.logout().catch(() => {}).finally(onLoggedOut)}>
            <Icon name="logout" size={18} /> {t('nav.logout')}
          </button>
          {/* Signing out everywhere ends this session too: ask first. */}
          <button type="button" className="btn btn-danger" onClick={() => setConfirmAll(true)} disabled={confirmAll}>
            {t('account.logoutAll')}
          </button>
        </div>
        {confirmAll && (
          <div className="confirm-row" role="group" aria-label={t('account.logoutAll')}>
            <p>{t('account.logoutAllConfirm')}</p>
            <button type="button" className="btn btn-danger" onClick={() => void logoutAll()}>
              {t('account.logoutAllYes')}
            </button>
            <button type="button" className="btn" onClick={() => setConfirmAll(false)}>
              {t('common.cancel')}
            </button>
          </div>
        )}
      </section>
    </div>
  );
}
