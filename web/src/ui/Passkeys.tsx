import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { ApiError } from '../api/client';
import { api } from '../api/endpoints';
import type { Passkey, PasskeyList } from '../api/types';
import { useI18n } from '../i18n';
import { errorText } from '../lib/errors';
import { dateTime } from '../lib/format';
import { createPasskey, passkeysSupported } from '../lib/webauthn';
import { ErrorBox, Field } from './common';
import { useToasts } from './Toasts';

/** passkeyError words a failed browser ceremony (cancelled, timed out, not allowed) or a server refusal. */
export function passkeyError(t: ReturnType<typeof useI18n>['t'], err: unknown): string {
  if (err instanceof ApiError) return errorText(t, err);
  if (err instanceof DOMException && (err.name === 'NotAllowedError' || err.name === 'AbortError')) return t('passkeys.cancelled');
  if (err instanceof DOMException && err.name === 'InvalidStateError') return t('passkeys.already');
  return t('passkeys.failed');
}

/**
 * PasskeysSection is "My account → Passkeys": the user's passkeys, adding
 * one under a name, and deleting one (with the password, after asking).
 * It is hidden when the installation cannot use passkeys (no https public
 * URL) or the browser has no WebAuthn. onAdded runs after a registration
 * (the app reloads the session then: a passkey satisfies a role that
 * requires two-factor sign-in).
 */
export function PasskeysSection({ onAdded }: { onAdded?: () => void }) {
  const { t, locale } = useI18n();
  const toasts = useToasts();
  const [list, setList] = useState<PasskeyList | null>(null);
  const [name, setName] = useState('');
  const [confirm, setConfirm] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  const load = useCallback(() => {
    api
      .passkeys()
      .then(setList)
      .catch((err: unknown) => setError(errorText(t, err)));
  }, [t]);
  useEffect(load, [load]);

  if (!list || !list.available || !passkeysSupported()) return null;

  const add = async (e: FormEvent) => {
    e.preventDefault();
    if (busy || !name.trim()) return;
    setBusy(true);
    setError('');
    try {
      const { public_key } = await api.passkeyOptions();
      const credential = await createPasskey(public_key);
      await api.registerPasskey(name.trim(), credential);
      setName('');
      toasts.show({ text: t('passkeys.added'), tone: 'success' });
      load();
      onAdded?.();
    } catch (err) {
      setError(passkeyError(t, err));
    } finally {
      setBusy(false);
    }
  };

  const remove = async (e: FormEvent, pk: Passkey) => {
    e.preventDefault();
    setBusy(true);
    setError('');
    try {
      await api.deletePasskey(pk.id, password);
      setConfirm('');
      setPassword('');
      toasts.show({ text: t('passkeys.deleted', { name: pk.name }), tone: 'success' });
      load();
    } catch (err) {
      setError(errorText(t, err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card" aria-labelledby="pk-h" data-testid="passkeys">
      <h2 id="pk-h">{t('passkeys.title')}</h2>
      <p className="hint">{t('passkeys.hint')}</p>
      <ErrorBox text={error} />
      {list.passkeys.length === 0 ? (
        <p className="hint">{t('passkeys.empty')}</p>
      ) : (
        <ul className="passkey-list">
          {list.passkeys.map((pk) => (
            <li key={pk.id} data-testid="passkey-row">
              <div>
                <strong>{pk.name}</strong>
                <span className="hint">
                  {' · '}
                  {t('passkeys.addedAt', { at: dateTime(pk.created_at, locale) })}
                  {' · '}
                  {pk.last_used_at ? t('passkeys.usedAt', { at: dateTime(pk.last_used_at, locale) }) : t('passkeys.unused')}
                </span>
              </div>
              {confirm === pk.id ? (
                <form className="confirm-row" onSubmit={(e) => void remove(e, pk)} aria-label={t('passkeys.deleteNamed', { name: pk.name })}>
                  <p>{t('passkeys.deleteConfirm', { name: pk.name })}</p>
                  <Field label={t('passkeys.password')}>
                    {(id, d) => (
                      <input
                        id={id}
                        aria-describedby={d}
                        type="password"
                        autoComplete="current-password"
                        value={password}
                        autoFocus
                        onChange={(e) => setPassword(e.target.value)}
                      />
                    )}
                  </Field>
                  <button type="submit" className="btn btn-small btn-danger" disabled={busy || !password}>
                    {t('passkeys.deleteYes')}
                  </button>
                  <button
                    type="button"
                    className="btn btn-small"
                    onClick={() => {
                      setConfirm('');
                      setPassword('');
                    }}
                  >
                    {t('common.cancel')}
                  </button>
                </form>
              ) : (
                <button
                  type="button"
                  className="btn btn-small btn-danger"
                  onClick={() => {
                    setConfirm(pk.id);
                    setPassword('');
                  }}
                  aria-label={t('passkeys.deleteNamed', { name: pk.name })}
                >
                  {t('passkeys.delete')}
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      <form onSubmit={(e) => void add(e)} className="form-narrow">
        <Field label={t('passkeys.name')} hint={t('passkeys.nameHint')}>
          {(id, d) => <input id={id} aria-describedby={d} maxLength={64} value={name} onChange={(e) => setName(e.target.value)} />}
        </Field>
        <button type="submit" className="btn btn-primary" disabled={busy || !name.trim()}>
          {t('passkeys.add')}
        </button>
      </form>
    </section>
  );
}
