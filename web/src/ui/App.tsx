import { useCallback, useEffect, useState } from 'react';
import { ApiError, setUnauthorizedHandler } from '../api/client';
import { api } from '../api/endpoints';
import type { Me } from '../api/types';
import { I18nProvider, useI18n } from '../i18n';
import { errorText } from '../lib/errors';
import { unlockAudio } from '../lib/notify';
import { InboxProvider } from '../state/store';
import { Login } from './Login';
import { match, navigate, usePath } from './router';
import { Setup } from './Setup';
import { Shell } from './Shell';
import { ToastProvider } from './Toasts';
import { PasskeysSection } from './Passkeys';
import { TwoFactorSection } from './TwoFactor';

type Auth = { state: 'loading' } | { state: 'anon'; notice: string } | { state: 'error'; text: string } | { state: 'in'; me: Me };

export function App() {
  return (
    <I18nProvider>
      <Toasted />
    </I18nProvider>
  );
}

function Toasted() {
  const { t } = useI18n();
  return (
    <ToastProvider closeLabel={t('common.close')}>
      <Root />
    </ToastProvider>
  );
}

function Root() {
  const { t } = useI18n();
  const path = usePath();
  const route = match(path);
  const [auth, setAuth] = useState<Auth>({ state: 'loading' });

  const loadMe = useCallback(() => {
    api
      .session()
      .then((s) => {
        if (s.signed_in && s.user && s.role)
          setAuth({ state: 'in', me: { user: s.user, role: s.role, two_factor_enrolment_required: !!s.two_factor_enrolment_required } });
        else setAuth({ state: 'anon', notice: '' });
      })
      .catch((err: unknown) => {
        if (err instanceof ApiError && err.status === 401) setAuth({ state: 'anon', notice: '' });
        else setAuth({ state: 'error', text: errorText(t, err) });
      });
  }, [t]);

  useEffect(() => {
    if (route.name === 'setup') return;
    loadMe();
    // Only on first load; later changes go through the handlers below.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const signedIn = auth.state === 'in';
  useEffect(() => {
    if (signedIn && route.name === 'login') navigate('/', true);
  }, [signedIn, route.name]);

  const ended = useCallback(() => setAuth({ state: 'anon', notice: 'login.ended' }), []);
  useEffect(() => {
    setUnauthorizedHandler(ended);
    return () => setUnauthorizedHandler(null);
  }, [ended]);

  // Browsers allow sound only after a gesture: create the audio context on the first one.
  useEffect(() => {
    const onGesture = () => unlockAudio();
    window.addEventListener('pointerdown', onGesture, { once: true });
    window.addEventListener('keydown', onGesture, { once: true });
    return () => {
      window.removeEventListener('pointerdown', onGesture);
      window.removeEventListener('keydown', onGesture);
    };
  }, []);

  if (route.name === 'setup') {
    return (
      <Setup
        onDone={() => {
          navigate('/', true);
          loadMe();
        }}
      />
    );
  }
  if (auth.state === 'loading') {
    return (
      <div className="center-page">
        <p>{t('app.loading')}</p>
      </div>
    );
  }
  if (auth.state === 'error') {
    return (
      <div className="center-page">
        <p role="alert">{auth.text}</p>
        <button type="button" className="btn" onClick={loadMe}>
          {t('common.retry')}
        </button>
      </div>
    );
  }
  if (auth.state === 'anon') {
    return (
      <Login
        notice={auth.notice ? t('login.ended') : ''}
        onDone={(me) => setAuth({ state: 'in', me })}
      />
    );
  }
  if (auth.me.two_factor_enrolment_required) {
    // The role requires two-factor sign-in: the server allows nothing but
    // enrolment until the user has set it up.
    return (
      <main className="page" id="main" data-testid="tfa-required">
        <h1>{t('tfa.requiredTitle')}</h1>
        <TwoFactorSection onEnabled={loadMe} />
        <PasskeysSection onAdded={loadMe} />
        <button
          type="button"
          className="btn"
          onClick={() => {
            void api
              .logout()
              .catch(() => {})
              .finally(() => setAuth({ state: 'anon', notice: '' }));
          }}
        >
          {t('nav.logout')}
        </button>
      </main>
    );
  }
  return (
    <InboxProvider key={auth.me.user.id} me={auth.me} onSessionEnded={ended}>
      <Shell
        me={auth.me}
        route={route}
        onLoggedOut={() => {
          setAuth({ state: 'anon', notice: '' });
          navigate('/login', true);
        }}
      />
    </InboxProvider>
  );
}
