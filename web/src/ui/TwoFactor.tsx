import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { api } from '../api/endpoints';
import type { TwoFactorEnrolment, TwoFactorStatus } from '../api/types';
import { useI18n } from '../i18n';
import { errorText } from '../lib/errors';
import { ErrorBox, Field } from './common';
import { useToasts } from './Toasts';

/**
 * TwoFactorSection is "My account → Two-factor sign-in": enrol (QR code,
 * otpauth URI and the secret for typing in), confirm with a first code,
 * show the recovery codes once, replace them with new ones (password and
 * a current code; the new ones are shown once too), and turn it off.
 * onEnabled runs after a
 * successful confirmation (the app reloads the session then).
 */
export function TwoFactorSection({ onEnabled }: { onEnabled?: () => void }) {
  const { t } = useI18n();
  const toasts = useToasts();
  const [status, setStatus] = useState<TwoFactorStatus | null>(null);
  const [enrolment, setEnrolment] = useState<TwoFactorEnrolment | null>(null);
  const [code, setCode] = useState('');
  const [codes, setCodes] = useState<string[] | null>(null);
  const [offPassword, setOffPassword] = useState('');
  // regenerated: the codes shown replace earlier ones (not a new enrolment).
  const [regenerated, setRegenerated] = useState(false);
  const [newPassword, setNewPassword] = useState('');
  const [newCode, setNewCode] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  const load = useCallback(() => {
    api
      .twoFactor()
      .then(setStatus)
      .catch((err: unknown) => setError(errorText(t, err)));
  }, [t]);
  useEffect(load, [load]);

  const run = async (fn: () => Promise<void>) => {
    setBusy(true);
    setError('');
    try {
      await fn();
    } catch (err) {
      setError(errorText(t, err));
    } finally {
      setBusy(false);
    }
  };

  const begin = () =>
    run(async () => {
      setCodes(null);
      setEnrolment(await api.beginTwoFactor());
    });

  const confirm = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => {
      const res = await api.confirmTwoFactor(code.trim());
      setRegenerated(false);
      setCodes(res.recovery_codes);
      setEnrolment(null);
      setCode('');
      load();
    });
  };

  const disable = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => {
      await api.disableTwoFactor({ password: offPassword });
      setOffPassword('');
      toasts.show({ text: t('tfa.disabled'), tone: 'success' });
      load();
    });
  };

  const regenerate = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => {
      const res = await api.regenerateRecoveryCodes({ password: newPassword, code: newCode.trim() });
      setNewPassword('');
      setNewCode('');
      setRegenerated(true);
      setCodes(res.recovery_codes);
      load();
    });
  };

  const copy = () => {
    if (!codes) return;
    void navigator.clipboard?.writeText(codes.join('\n')).then(
      () => toasts.show({ text: t('tfa.copied'), tone: 'success' }),
      () => {},
    );
  };

  return (
    <section className="card" aria-labelledby="tfa-h" data-testid="two-factor">
      <h2 id="tfa-h">{t('tfa.title')}</h2>
      <ErrorBox text={error} />
      {status?.required && !status.enabled && !status.passkeys && <p className="notice">{t('tfa.requiredHint')}</p>}
      {codes && (
        <div className="tfa-codes">
          <p>{t(regenerated ? 'tfa.newCodesShown' : 'tfa.codesHint')}</p>
          <ul className="tfa-code-list" data-testid="recovery-codes">
            {codes.map((c) => (
              <li key={c}>
                <code>{c}</code>
              </li>
            ))}
          </ul>
          <div className="card-actions">
            <button type="button" className="btn" onClick={copy}>
              {t('tfa.copy')}
            </button>
            <button
              type="button"
              className="btn btn-primary"
              onClick={() => {
                setCodes(null);
                if (!regenerated) onEnabled?.();
              }}
            >
              {t('tfa.codesDone')}
            </button>
          </div>
        </div>
      )}
      {!codes && status?.enabled && (
        <>
          <p data-testid="tfa-on">{t('tfa.on', { count: status.recovery_codes_left })}</p>
          <form onSubmit={disable} className="form-narrow">
            <Field label={t('tfa.offPassword')}>
              {(id, d) => (
                <input
                  id={id}
                  aria-describedby={d}
                  type="password"
                  autoComplete="current-password"
                  value={offPassword}
                  onChange={(e) => setOffPassword(e.target.value)}
                />
              )}
            </Field>
            <button type="submit" className="btn btn-danger" disabled={busy || !offPassword}>
              {t('tfa.disable')}
            </button>
          </form>
          <form onSubmit={regenerate} className="form-narrow" aria-labelledby="tfa-new-h" data-testid="tfa-regenerate">
            <h3 id="tfa-new-h">{t('tfa.newCodes')}</h3>
            <p className="hint">{t('tfa.newCodesHint')}</p>
            <Field label={t('tfa.newCodesPassword')}>
              {(id, d) => (
                <input
                  id={id}
                  aria-describedby={d}
                  type="password"
                  autoComplete="current-password"
                  value={newPassword}
                  onChange={(e) => setNewPassword(e.target.value)}
                  required
                />
              )}
            </Field>
            <Field label={t('tfa.newCodesCode')}>
              {(id, d) => (
                <input
                  id={id}
                  aria-describedby={d}
                  inputMode="numeric"
                  autoComplete="one-time-code"
                  maxLength={6}
                  value={newCode}
                  onChange={(e) => setNewCode(e.target.value)}
                  required
                />
              )}
            </Field>
            <button type="submit" className="btn" disabled={busy || !newPassword || newCode.trim().length !== 6}>
              {t('tfa.newCodesButton')}
            </button>
          </form>
        </>
      )}
      {!codes && status && !status.enabled && !enrolment && (
        <>
          <p className="hint">{t('tfa.offHint')}</p>
          <button type="button" className="btn btn-primary" onClick={() => void begin()} disabled={busy}>
            {t('tfa.enable')}
          </button>
        </>
      )}
      {enrolment && (
        <form onSubmit={confirm} className="form-narrow">
          <p>{t('tfa.scan')}</p>
          {enrolment.qr_code && <img className="tfa-qr" src={enrolment.qr_code} alt={t('tfa.qrAlt')} width={200} height={200} />}
          <p className="hint">{t('tfa.manual')}</p>
          <p>
            <code data-testid="tfa-secret">{enrolment.secret}</code>
          </p>
          <details>
            <summary>{t('tfa.uri')}</summary>
            <code className="tfa-uri">{enrolment.uri}</code>
          </details>
          <Field label={t('tfa.code')}>
            {(id, d) => (
              <input
                id={id}
                aria-describedby={d}
                inputMode="numeric"
                autoComplete="one-time-code"
                maxLength={6}
                value={code}
                onChange={(e) => setCode(e.target.value)}
                required
              />
            )}
          </Field>
          <button type="submit" className="btn btn-primary" disabled={busy || code.trim().length !== 6}>
            {t('tfa.confirm')}
          </button>
        </form>
      )}
    </section>
  );
}
