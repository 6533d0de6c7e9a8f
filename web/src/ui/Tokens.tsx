import { useCallback, useEffect, useState, type FormEvent } from 'react';
import type { APIToken, CreatedToken, Permission, TokenInput } from '../api/types';
import { useI18n, type Key } from '../i18n';
import { errorText } from '../lib/errors';
import { dateTime } from '../lib/format';
import { ErrorBox, Field } from './common';
import { useToasts } from './Toasts';

/** TokenSource is where a token list lives: the signed-in user's own, or a service account's. */
export interface TokenSource {
  list: () => Promise<{ items?: APIToken[] }>;
  create: (t: TokenInput) => Promise<CreatedToken>;
  revoke: (id: string) => Promise<void>;
}

const lifetimes = [
  { key: 'tokens.expiry30', days: 30 },
  { key: 'tokens.expiry90', days: 90 },
  { key: 'tokens.expiry365', days: 365 },
  { key: 'tokens.expiryNever', days: 0 },
] as const;

/** expiryFrom turns a lifetime in days into the API's expires_at (null: never). */
export function expiryFrom(days: number, now = Date.now()): string | null {
  return days > 0 ? new Date(now + days * 86_400_000).toISOString() : null;
}

/**
 * TokenPanel lists tokens with their last use, creates one with a name,
 * scopes (only those of the owner's role) and an expiry, shows its secret
 * once with a copy button, and revokes.
 */
export function TokenPanel({ source, scopes, testId }: { source: TokenSource; scopes: Permission[]; testId: string }) {
  const { t, locale } = useI18n();
  const toasts = useToasts();
  const [tokens, setTokens] = useState<APIToken[]>([]);
  const [error, setError] = useState('');
  const [name, setName] = useState('');
  const [chosen, setChosen] = useState<Permission[]>([]);
  const [days, setDays] = useState<number>(90);
  const [created, setCreated] = useState<CreatedToken | null>(null);
  const [busy, setBusy] = useState(false);
  const [confirm, setConfirm] = useState('');

  const load = useCallback(() => {
    source
      .list()
      .then((p) => setTokens(p.items ?? []))
      .catch((err: unknown) => setError(errorText(t, err)));
  }, [source, t]);
  useEffect(load, [load]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError('');
    try {
      const c = await source.create({ name: name.trim(), scopes: chosen, expires_at: expiryFrom(days) });
      setCreated(c);
      setName('');
      setChosen([]);
      load();
    } catch (err) {
      setError(errorText(t, err));
    } finally {
      setBusy(false);
    }
  };

  const revoke = async (tok: APIToken) => {
    setConfirm('');
    try {
      await source.revoke(tok.id);
      toasts.show({ text: t('tokens.revoked', { name: tok.name }), tone: 'success' });
      load();
    } catch (err) {
      setError(errorText(t, err));
    }
  };

  const copy = (secret: string) => {
    void navigator.clipboard
      ?.writeText(secret)
      .then(() => toasts.show({ text: t('common.copied'), tone: 'success' }))
      .catch(() => {});
  };

  return (
    <div data-testid={testId}>
      <ErrorBox text={error} />
      {created && (
        <div className="confirm-row" role="status" data-testid="token-secret">
          <p>{t('tokens.shownOnce', { name: created.token.name })}</p>
          <input type="text" readOnly value={created.secret} aria-label={t('tokens.secret')} onFocus={(e) => e.target.select()} />
          <button type="button" className="btn" onClick={() => copy(created.secret)}>
            {t('common.copy')}
          </button>
          <button type="button" className="btn" onClick={() => setCreated(null)}>
            {t('tokens.done')}
          </button>
        </div>
      )}
      <form onSubmit={submit} className="form-narrow">
        <Field label={t('tokens.name')}>
          {(id, d) => <input id={id} aria-describedby={d} value={name} maxLength={100} onChange={(e) => setName(e.target.value)} required />}
        </Field>
        <fieldset>
          <legend>{t('tokens.scopes')}</legend>
          <p className="hint">{t('tokens.scopesHint')}</p>
          {scopes.map((p) => (
            <label key={p} className="check">
              <input
                type="checkbox"
                checked={chosen.includes(p)}
                onChange={(e) => setChosen((prev) => (e.target.checked ? [...prev, p] : prev.filter((x) => x !== p)))}
              />
              {t(`perm.${p}` as Key)} <code className="hint">{p}</code>
            </label>
          ))}
        </fieldset>
        <Field label={t('tokens.expiry')}>
          {(id, d) => (
            <select id={id} aria-describedby={d} value={days} onChange={(e) => setDays(Number(e.target.value))}>
              {lifetimes.map((l) => (
                <option key={l.days} value={l.days}>
                  {t(l.key)}
                </option>
              ))}
            </select>
          )}
        </Field>
        <button type="submit" className="btn btn-primary" disabled={busy || !name.trim() || chosen.length === 0}>
          {t('tokens.create')}
        </button>
      </form>
      {tokens.length === 0 ? (
        <p className="hint">{t('tokens.empty')}</p>
      ) : (
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">{t('tokens.name')}</th>
                <th scope="col">{t('tokens.scopes')}</th>
                <th scope="col" className="hide-phone">
                  {t('tokens.expires')}
                </th>
                <th scope="col">{t('tokens.lastUsed')}</th>
                <th scope="col">
                  <span className="visually-hidden">{t('tokens.revoke')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {tokens.map((tok) => (
                <tr key={tok.id} className={tok.revoked_at ? 'row-muted' : ''} data-testid="token-row">
                  <td>{tok.name}</td>
                  <td>
                    <code className="hint">{tok.scopes.join(', ')}</code>
                  </td>
                  <td className="hide-phone">{tok.expires_at ? dateTime(tok.expires_at, locale) : t('tokens.never')}</td>
                  <td>{tok.last_used_at ? `${dateTime(tok.last_used_at, locale)} · ${tok.last_used_ip}` : t('tokens.unused')}</td>
                  <td>
                    {tok.revoked_at ? (
                      <span className="tag tag-muted">{t('tokens.revokedTag')}</span>
                    ) : confirm === tok.id ? (
                      <span role="group" aria-label={t('tokens.revoke')}>
                        <button type="button" className="btn btn-small btn-danger" onClick={() => void revoke(tok)}>
                          {t('tokens.revokeYes')}
                        </button>{' '}
                        <button type="button" className="btn btn-small" onClick={() => setConfirm('')}>
                          {t('common.cancel')}
                        </button>
                      </span>
                    ) : (
                      <button type="button" className="btn btn-small btn-danger" onClick={() => setConfirm(tok.id)} aria-label={t('tokens.revokeNamed', { name: tok.name })}>
                        {t('tokens.revoke')}
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
