import { useEffect, useState, type FormEvent } from 'react';
import { ApiError } from '../api/client';
import { api } from '../api/endpoints';
import type { Me } from '../api/types';
import { useI18n } from '../i18n';
import { errorText } from '../lib/errors';
import { getPasskey, passkeysSupported } from '../lib/webauthn';
import { passkeyError } from './Passkeys';
import { ErrorBox, Field } from './common';
import { LanguageSelect } from './LanguageSelect';

export function Login({ notice, onDone }: { notice: string; onDone: (me: Me) => void }) {
  const { t } = useI18n();
  const [login, setLogin] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const [lockedUntil, setLockedUntil] = useState(0);
  const [now, setNow] = useState(() => Date.now());
  const [setupNeeded, setSetupNeeded] = useState(false);
  // The second step of signing in, when the account has two-factor sign-in on.
  const [challenge, setChallenge] = useState('');
  const [code, setCode] = useState('');
  // The second factors the user has: "totp", "recovery", "passkey".
  const [methods, setMethods] = useState<string[]>([]);

  useEffect(() => {
    api
      .setupStatus()
      .then((s) => setSetupNeeded(!!s.needed))
      .catch(() => {});
  }, []);

  // Count the lock-out down so people see when they may try again.
  useEffect(() => {
    if (lockedUntil <= Date.now()) return;
    const id = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(id);
  }, [lockedUntil]);

  const secondsLeft = Math.max(0, Math.ceil((lockedUntil - now) / 1000));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (busy || secondsLeft > 0) return;
    setBusy(true);
    setError('');
    try {
      const res = await api.login(login.trim(), password);
      if ('second_factor_required' in res && res.second_factor_required) {
        setChallenge(res.challenge);
        setMethods(res.methods);
        setPassword('');
        return;
      }
      const me = await api.me();
      onDone(me);
    } catch (err) {
      if (err instanceof ApiError && err.code === 'rate_limited') {
        const s = Math.max(1, err.retryAfter);
        setLockedUntil(Date.now() + s * 1000);
        setNow(Date.now());
        setError('');
      } else if (err instanceof ApiError && err.code === 'unauthorized') {
        setError(t('login.wrong'));
        setPassword('');
      } else {
        setError(errorText(t, err));
      }
    } finally {
      setBusy(false);
    }
  };

  const submitCode = async (e: FormEvent) => {
    e.preventDefault();
    if (busy || secondsLeft > 0 || !code.trim()) return;
    setBusy(true);
    setError('');
    try {
      await api.loginSecondFactor(challenge, code.trim());
      onDone(await api.me());
    } catch (err) {
      if (err instanceof ApiError && err.code === 'rate_limited') {
        setLockedUntil(Date.now() + Math.max(1, err.retryAfter) * 1000);
        setNow(Date.now());
      } else if (err instanceof ApiError && err.code === 'unauthorized') {
        setError(t('login.codeWrong'));
        setCode('');
      } else {
        setError(errorText(t, err));
      }
    } finally {
      setBusy(false);
    }
  };

  const signInWithPasskey = async () => {
    if (busy || secondsLeft > 0) return;
    setBusy(true);
    setError('');
    try {
      const { public_key } = await api.passkeySignInOptions(challenge);
      const credential = await getPasskey(public_key);
      await api.loginPasskey(challenge, credential);
      onDone(await api.me());
    } catch (err) {
      if (err instanceof ApiError && err.code === 'rate_limited') {
        setLockedUntil(Date.now() + Math.max(1, err.retryAfter) * 1000);
        setNow(Date.now());
      } else if (err instanceof ApiError && err.code === 'unauthorized') {
        setError(t('login.passkeyWrong'));
      } else {
        setError(passkeyError(t, err));
      }
    } finally {
      setBusy(false);
    }
  };

  if (challenge) {
    const hasCode = methods.includes('totp') || methods.includes('recovery');
    const hasPasskey = methods.includes('passkey') && passkeysSupported();
    return (
      <main className="auth-page" id="main">
        <form className="auth-card" onSubmit={submitCode} noValidate aria-labelledby="login-title">
          <div className="auth-brand" aria-hidden="true">
            <span className="brand-mark">S</span>
          </div>
          <h1 id="login-title">{t('login.secondTitle')}</h1>
          <p>{hasCode ? t('login.secondHint') : t('login.passkeyHint')}</p>
          {hasPasskey && (
            <button
              type="button"
              className="btn btn-primary btn-block"
              data-testid="use-passkey"
              onClick={() => void signInWithPasskey()}
              disabled={busy || secondsLeft > 0}
            >
              {t('login.usePasskey')}
            </button>
          )}
          {!hasCode && !hasPasskey && <p className="error-box">{t('login.passkeyUnsupported')}</p>}
          {hasCode && hasPasskey && <p className="hint login-alt">{t('login.orCode')}</p>}
          {hasCode && (
            <Field label={t('login.code')}>
              {(id, d) => (
                <input
                  id={id}
                  aria-describedby={d}
                  name="code"
                  autoFocus
                  autoComplete="one-time-code"
                  autoCapitalize="none"
                  spellCheck={false}
                  maxLength={64}
                  required
                  value={code}
                  onChange={(e) => setCode(e.target.value)}
                />
              )}
            </Field>
          )}
          <ErrorBox text={error} />
          {lockedUntil > 0 && secondsLeft > 0 && (
            <p className="error-box" role="alert" data-testid="throttle">
              {t('login.throttled', { seconds: secondsLeft })}
            </p>
          )}
          {hasCode && (
            <button type="submit" className={hasPasskey ? 'btn btn-block' : 'btn btn-primary btn-block'} disabled={busy || secondsLeft > 0 || !code.trim()}>
              {t('login.verify')}
            </button>
          )}
          <button
            type="button"
            className="btn btn-block"
            onClick={() => {
              setChallenge('');
              setMethods([]);
              setCode('');
              setError('');
            }}
          >
            {t('common.back')}
          </button>
        </form>
      </main>
    );
  }

  return (
    <main className="auth-page" id="main">
      <form className="auth-card" onSubmit={submit} noValidate aria-labelledby="login-title">
        <div className="auth-brand" aria-hidden="true">
          <span className="brand-mark">S</span>
        </div>
        <h1 id="login-title">{t('login.title')}</h1>
        {notice && <p className="notice">{notice}</p>}
        {setupNeeded && <p className="notice">{t('login.setupHint')}</p>}
        <Field label={t('login.login')}>
          {(id, d) => (
            <input
              id={id}
              aria-describedby={d}
              name="username"
              autoFocus
              autoComplete="username"
              autoCapitalize="none"
              spellCheck={false}
              required
              value={login}
              onChange={(e) => setLogin(e.target.value)}
            />
          )}
        </Field>
        <Field label={t('login.password')}>
          {(id, d) => (
            <input
              id={id}
              aria-describedby={d}
              name="password"
              type="password"
              autoComplete="current-password"
              required
              value={password}
              onChange={(e) => setPassword(e.target.value)}
            />
          )}
        </Field>
        <ErrorBox text={error} />
        {lockedUntil > 0 && (
          <p className={secondsLeft > 0 ? 'error-box' : 'notice'} role="alert" data-testid="throttle">
            {secondsLeft > 0 ? t('login.throttled', { seconds: secondsLeft }) : t('login.throttledNow')}
          </p>
        )}
        <button type="submit" className="btn btn-primary btn-block" disabled={busy || secondsLeft > 0 || !login || !password}>
          {t('login.submit')}
        </button>
        <LanguageSelect />
      </form>
    </main>
  );
}
