import { useCallback, useEffect, useMemo, useState, type FormEvent } from 'react';
import { api } from '../../api/endpoints';
import type { Role, ServiceAccount } from '../../api/types';
import { useI18n } from '../../i18n';
import { errorText } from '../../lib/errors';
import { ErrorBox, Field } from '../common';
import { TokenPanel, type TokenSource } from '../Tokens';
import { useToasts } from '../Toasts';

/**
 * ServiceAccounts is the Administration section for non-human users: bots
 * and integrations with a role, which act only through API tokens.
 */
export function ServiceAccounts({ roles }: { roles: Role[] }) {
  const { t } = useI18n();
  const toasts = useToasts();
  const [accounts, setAccounts] = useState<ServiceAccount[]>([]);
  const [error, setError] = useState('');
  const [login, setLogin] = useState('');
  const [name, setName] = useState('');
  const [roleID, setRoleID] = useState('');
  const [description, setDescription] = useState('');
  const [bot, setBot] = useState(false);
  const [open, setOpen] = useState('');

  const load = useCallback(() => {
    api
      .serviceAccounts()
      .then((p) => setAccounts(p.items ?? []))
      .catch((err: unknown) => setError(errorText(t, err)));
  }, [t]);
  useEffect(load, [load]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError('');
    try {
      const sa = await api.createServiceAccount({ login: login.trim(), name: name.trim(), role_id: roleID, description: description.trim(), bot });
      toasts.show({ text: t('sa.created', { name: sa.user.name }), tone: 'success' });
      setLogin('');
      setName('');
      setDescription('');
      setBot(false);
      setOpen(sa.user.id);
      load();
    } catch (err) {
      setError(errorText(t, err));
    }
  };

  return (
    <section className="card" aria-labelledby="sa-h" data-testid="service-accounts">
      <h2 id="sa-h">{t('sa.title')}</h2>
      <p className="hint">{t('sa.hint')}</p>
      <ErrorBox text={error} />
      <form onSubmit={submit} className="form-narrow">
        <Field label={t('users.login')}>
          {(id, d) => <input id={id} aria-describedby={d} value={login} onChange={(e) => setLogin(e.target.value)} required />}
        </Field>
        <Field label={t('users.name')}>
          {(id, d) => <input id={id} aria-describedby={d} value={name} onChange={(e) => setName(e.target.value)} required />}
        </Field>
        <Field label={t('users.role')}>
          {(id, d) => (
            <select id={id} aria-describedby={d} value={roleID} onChange={(e) => setRoleID(e.target.value)} required>
              <option value="">—</option>
              {roles.map((r) => (
                <option key={r.id} value={r.id}>
                  {r.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label={t('roles.description')}>
          {(id, d) => <input id={id} aria-describedby={d} value={description} maxLength={500} onChange={(e) => setDescription(e.target.value)} />}
        </Field>
        <label className="check">
          <input type="checkbox" checked={bot} onChange={(e) => setBot(e.target.checked)} />
          {t('sa.bot')}
        </label>
        <button type="submit" className="btn btn-primary" disabled={!login.trim() || !name.trim() || !roleID}>
          {t('sa.create')}
        </button>
      </form>
      {accounts.length === 0 && <p className="hint">{t('sa.empty')}</p>}
      {accounts.map((sa) => (
        <details key={sa.user.id} open={open === sa.user.id} data-testid="service-account">
          <summary>
            {sa.user.name} <code className="hint">{sa.user.login}</code> · {roles.find((r) => r.id === sa.user.role_id)?.name ?? sa.user.role_id}
            {sa.bot && <span className="badge badge-bot">{t('handoff.bot')}</span>}
            {!sa.user.active && <span className="tag tag-muted">{t('users.inactive')}</span>}
          </summary>
          {sa.description && <p className="hint">{sa.description}</p>}
          <AccountTokens account={sa} roles={roles} />
        </details>
      ))}
    </section>
  );
}

function AccountTokens({ account, roles }: { account: ServiceAccount; roles: Role[] }) {
  const id = account.user.id;
  const source = useMemo<TokenSource>(
    () => ({
      list: () => api.serviceAccountTokens(id),
      create: (tok) => api.createServiceAccountToken(id, tok),
      revoke: (tokenId) => api.revokeServiceAccountToken(id, tokenId),
    }),
    [id],
  );
  const scopes = roles.find((r) => r.id === account.user.role_id)?.permissions ?? [];
  return <TokenPanel source={source} scopes={scopes} testId={`sa-tokens-${account.user.login}`} />;
}
