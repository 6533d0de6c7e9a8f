import { useEffect, useState, type FormEvent } from 'react';
import { ApiError } from '../api/client';
import { api } from '../api/endpoints';
import { useI18n } from '../i18n';
import { errorText, passwordReason } from '../lib/errors';
import { ErrorBox, Field } from './common';
import { LanguageSelect } from './LanguageSelect';
import { navigate } from './router';

/** tokenFromHash reads the one-time token from "#token=…"; the fragment never reaches server logs. */
export function tokenFromHash(hash: string): string {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  return params.get('token') ?? '';
}

export function Setup({ onDone }: { onDone: () => void }) {
  const { t } = useI18n();
  const [token] = useState(() => tokenFromHash(location.hash));
  const [needed, setNeeded] = useState<boolean | null>(null);
  const [name, setName] = useState('');
  const [login, setLogin] = useState('');
  const [password, setPassword] = useState('');
  const [password2, setPassword2] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const [pwError, setPwError] = useState('');

  useEffect(() => {
    api
      .setupStatus()
      .then((s) => setNeeded(!!s.needed))
      .catch((err: unknown) => {
        setNeeded(true);
        setError(errorText(t, err));
      });
    // Keep the token out of the address bar once read.
    if (location.hash) history.replaceState(null, '', location.pathname);
    // Once on mount: t is only for the error text, and a language change needs no reload.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError('');
    setPwError('');
    if (password !== password2) {
      setPwError(t('setup.mismatch'));
      return;
    }
    setBusy(true);
    try {
      await api.completeSetup(token, login.trim(), name.trim(), password);
      onDone();
    } catch (err) {
      if (err instanceof ApiError && err.code === 'password_policy') setPwError(passwordReason(t, err.message));
      else if (err instanceof ApiError && err.status === 404) setError(t('setup.invalidToken'));
      else if (err instanceof ApiError && err.status === 409) setNeeded(false);
      else setError(errorText(t, err));
    } finally {
      setBusy(false);
    }
  };

  if (needed === false) {
    return (
      <main className="auth-page" id="main">
        <div className="auth-card">
          <h1>{t('setup.title')}</h1>
          <p className="notice">{t('setup.notNeeded')}</p>
          <button type="button" className="btn btn-primary btn-block" onClick={() => navigate('/login', true)}>
            {t('setup.toLogin')}
          </button>
        </div>
      </main>
    );
  }

  return (
    <main className="auth-page" id="main">
      <form className="auth-card" onSubmit={submit} noValidate aria-labelledby="setup-title">
        <div className="auth-brand" aria-hidden="true">
          <span className="brand-mark">S</span>
        </div>
        <h1 id="setup-title">{t('setup.title')}</h1>
        <p>{t('setup.intro')}</p>
        {!token && <ErrorBox text={t('setup.noToken')} />}
        <Field label={t('setup.name')}>
          {(id, d) => (
            <input id={id} aria-describedby={d} autoComplete="name" required value={name} onChange={(e) => setName(e.target.value)} />
          )}
        </Field>
        <Field label={t('setup.login')}>
          {(id, d) => (
            <input
              id={id}
              aria-describedby={d}
              autoComplete="username"
              autoCapitalize="none"
              spellCheck={false}
              required
              value={login}
              onChange={(e) => setLogin(e.target.value)}
            />
          )}
        </Field>
        <Field label={t('setup.password')} hint={t('pw.rules')} error={pwError}>
          {(id, d) => (
            <input
              id={id}
              aria-describedby={d}
              aria-invalid={pwError ? true : undefined}
              type="password"
              autoComplete="new-password"
              required
              minLength={10}
              value={password}
              onChange={(e) => setPassword(e.target.value)}
            />
          )}
        </Field>
        <Field label={t('setup.password2')}>
          {(id, d) => (
            <input
              id={id}
              aria-describedby={d}
              type="password"
              autoComplete="new-password"
              required
              value={password2}
              onChange={(e) => setPassword2(e.target.value)}
            />
          )}
        </Field>
        <ErrorBox text={error} />
        <button
          type="submit"
          className="btn btn-primary btn-block"
          disabled={busy || !token || !name || !login || !password || !password2}
        >
          {t('setup.submit')}
        </button>
        <LanguageSelect />
      </form>
    </main>
  );
}
