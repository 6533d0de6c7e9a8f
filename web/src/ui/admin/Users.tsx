import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { ApiError } from '../../api/client';
import { api } from '../../api/endpoints';
import type { Me, Role, User } from '../../api/types';
import { useI18n } from '../../i18n';
import { errorText, passwordReason } from '../../lib/errors';
import { dateTime } from '../../lib/format';
import { Dialog, ErrorBox, Field, Spinner } from '../common';
import { useToasts } from '../Toasts';
import { ServiceAccounts } from './ServiceAccounts';
import { Teams } from './Teams';

export function Users({ me }: { me: Me }) {
  const { t, locale } = useI18n();
  const [users, setUsers] = useState<User[]>([]);
  const [next, setNext] = useState('');
  const [roles, setRoles] = useState<Role[]>([]);
  // ?q= opens the list searched (the audit log links users this way).
  const [q, setQ] = useState(() => new URLSearchParams(location.search).get('q') ?? '');
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState('');
  const [editing, setEditing] = useState<User | 'new' | null>(null);

  const load = useCallback(
    (cursor: string, query: string) => {
      setLoading(true);
      api
        .users({ q: query.trim(), cursor, limit: 50 })
        .then((p) => {
          setUsers((prev) => (cursor ? [...prev, ...(p.items ?? [])] : (p.items ?? [])));
          setNext(p.next_cursor ?? '');
          setError('');
        })
        .catch((err: unknown) => setError(errorText(t, err)))
        .finally(() => setLoading(false));
    },
    [t],
  );

  useEffect(() => {
    const id = setTimeout(() => load('', q), q ? 250 : 0);
    return () => clearTimeout(id);
  }, [q, load]);

  useEffect(() => {
    api
      .roles()
      .then((p) => setRoles(p.items ?? []))
      .catch((err: unknown) => setError(errorText(t, err)));
  }, [t]);

  const roleName = (id: string) => roles.find((r) => r.id === id)?.name ?? id;

  const saved = (u: User) => {
    setUsers((prev) => {
      const i = prev.findIndex((x) => x.id === u.id);
      if (i < 0) return [u, ...prev];
      const copy = prev.slice();
      copy[i] = u;
      return copy;
    });
  };

  return (
    <div className="page">
      <div className="page-head">
        <h1>{t('users.title')}</h1>
        <button type="button" className="btn btn-primary" onClick={() => setEditing('new')}>
          + {t('users.new')}
        </button>
      </div>
      <input
        type="search"
        className="filter-input"
        placeholder={t('users.filter')}
        aria-label={t('users.filter')}
        value={q}
        onChange={(e) => setQ(e.target.value)}
      />
      <ErrorBox text={error} />
      <div className="table-wrap">
        <table className="table">
          <thead>
            <tr>
              <th scope="col">{t('users.name')}</th>
              <th scope="col">{t('users.login')}</th>
              <th scope="col">{t('users.role')}</th>
              <th scope="col" className="hide-phone">
                {t('users.status')}
              </th>
              <th scope="col" className="hide-phone">
                {t('users.created')}
              </th>
              <th scope="col">
                <span className="visually-hidden">{t('common.edit')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {users.map((u) => (
              <tr key={u.id} className={u.active ? '' : 'row-muted'} data-testid="user-row">
                <td>
                  {u.name} {u.id === me.user.id && <span className="hint">{t('users.you')}</span>}
                  {!u.active && <span className="tag tag-muted show-phone">{t('users.inactive')}</span>}
                </td>
                <td>{u.login}</td>
                <td>{roleName(u.role_id)}</td>
                <td className="hide-phone">{u.active ? t('users.active') : <span className="tag tag-muted">{t('users.inactive')}</span>}</td>
                <td className="hide-phone">{dateTime(u.created_at, locale)}</td>
                <td>
                  <button type="button" className="btn btn-small" onClick={() => setEditing(u)} aria-label={t('users.edit', { login: u.login })}>
                    {t('common.edit')}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {!loading && users.length === 0 && !error && <p className="hint">{t('users.empty')}</p>}
      {loading && <Spinner label={t('common.loading')} />}
      {next && !loading && (
        <button type="button" className="btn" onClick={() => load(next, q)}>
          {t('common.loadMore')}
        </button>
      )}
      {me.role.permissions.includes('users.manage') && <Teams />}
      {me.role.permissions.includes('users.manage') && <ServiceAccounts roles={roles} />}
      {editing && (
        <UserDialog
          user={editing === 'new' ? null : editing}
          me={me}
          roles={roles}
          onClose={() => setEditing(null)}
          onSaved={(u) => {
            saved(u);
            setEditing(null);
          }}
        />
      )}
    </div>
  );
}

function UserDialog({
  user,
  me,
  roles,
  onClose,
  onSaved,
}: {
  user: User | null;
  me: Me;
  roles: Role[];
  onClose: () => void;
  onSaved: (u: User) => void;
}) {
  const { t } = useI18n();
  const toasts = useToasts();
  const [login, setLogin] = useState(user?.login ?? '');
  const [name, setName] = useState(user?.name ?? '');
  const [roleId, setRoleId] = useState(user?.role_id ?? 'employee');
  const [password, setPassword] = useState('');
  const [resetPw, setResetPw] = useState('');
  const [error, setError] = useState('');
  const [pwError, setPwError] = useState('');
  const [busy, setBusy] = useState(false);
  const [confirmDeactivate, setConfirmDeactivate] = useState(false);
  // Deactivating asks what becomes of their chats: kept (marked
  // "deactivated", counted as unassigned), all unassigned at once, or
  // reassigned to a chosen active user (where that user may reply; the
  // others stay unassigned).
  const [chats, setChats] = useState<'keep' | 'unassign' | 'reassign'>('keep');
  const [reassignTo, setReassignTo] = useState('');
  const [others, setOthers] = useState<User[]>([]);
  const mayUnassign = me.role.permissions.includes('conversations.assign');
  const self = user?.id === me.user.id;
  useEffect(() => {
    if (!confirmDeactivate || !mayUnassign || !user) return;
    let live = true;
    api
      .users({ active: true, limit: 200 })
      .then((p) => live && setOthers((p.items ?? []).filter((u) => u.id !== user.id)))
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [confirmDeactivate, mayUnassign, user]);

  const run = async (f: () => Promise<void>) => {
    setBusy(true);
    setError('');
    setPwError('');
    try {
      await f();
    } catch (err) {
      if (err instanceof ApiError && err.code === 'password_policy') setPwError(passwordReason(t, err.message));
      else setError(errorText(t, err));
    } finally {
      setBusy(false);
    }
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => {
      if (!user) {
        const u = await api.createUser({ login: login.trim(), name: name.trim(), role_id: roleId, password });
        toasts.show({ text: t('users.createdToast', { login: u.login }), tone: 'success' });
        onSaved(u);
        return;
      }
      const patch: { name?: string; role_id?: string } = {};
      if (name.trim() !== user.name) patch.name = name.trim();
      if (roleId !== user.role_id) patch.role_id = roleId;
      const u = Object.keys(patch).length ? await api.updateUser(user.id, patch) : user;
      toasts.show({ text: t('users.updatedToast', { login: u.login }), tone: 'success' });
      onSaved(u);
    });
  };

  const setActive = (active: boolean) =>
    void run(async () => {
      if (!user) return;
      const patch: { active: boolean; unassign_all?: boolean; reassign_to?: string } = { active };
      if (!active && mayUnassign && chats !== 'keep') patch.unassign_all = true;
      if (!active && mayUnassign && chats === 'reassign') patch.reassign_to = reassignTo;
      const u = await api.updateUser(user.id, patch);
      toasts.show({ text: t(active ? 'users.reactivatedToast' : 'users.deactivatedToast', { login: u.login }) });
      onSaved(u);
    });

  const resetTwoFactor = () =>
    void run(async () => {
      if (!user) return;
      await api.resetTwoFactor(user.id);
      toasts.show({ text: t('users.twoFactorResetToast', { login: user.login }) });
    });

  const reset = () =>
    void run(async () => {
      if (!user) return;
      const u = await api.updateUser(user.id, { password: resetPw });
      toasts.show({ text: t('users.passwordResetToast', { login: u.login }) });
      onSaved(u);
    });

  return (
    <Dialog title={user ? t('users.edit', { login: user.login }) : t('users.new')} onClose={onClose}>
      <form onSubmit={submit} className="form-narrow">
        <Field label={t('users.login')}>
          {(id, d) => (
            <input
              id={id}
              aria-describedby={d}
              value={login}
              onChange={(e) => setLogin(e.target.value)}
              disabled={!!user}
              required
              autoCapitalize="none"
              spellCheck={false}
              autoComplete="off"
            />
          )}
        </Field>
        <Field label={t('users.name')}>
          {(id, d) => <input id={id} aria-describedby={d} value={name} onChange={(e) => setName(e.target.value)} required autoComplete="off" />}
        </Field>
        <Field label={t('users.role')}>
          {(id, d) => (
            <select id={id} aria-describedby={d} value={roleId} onChange={(e) => setRoleId(e.target.value)} disabled={self}>
              {roles.map((r) => (
                <option key={r.id} value={r.id}>
                  {r.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        {!user && (
          <Field label={t('users.initialPassword')} hint={t('pw.rules')} error={pwError}>
            {(id, d) => (
              <input id={id} aria-describedby={d} type="password" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} required />
            )}
          </Field>
        )}
        <ErrorBox text={error} />
        <div className="dialog-actions">
          <button type="button" className="btn" onClick={onClose}>
            {t('common.cancel')}
          </button>
          <button type="submit" className="btn btn-primary" disabled={busy || !login || !name || (!user && !password)}>
            {user ? t('common.save') : t('common.create')}
          </button>
        </div>
      </form>
      {user && !self && (
        <div className="dialog-section">
          <h3>{t('users.resetPassword')}</h3>
          <div className="inline-form">
            <Field label={t('users.newPassword')} hint={t('pw.rules')} error={pwError}>
              {(id, d) => (
                <input id={id} aria-describedby={d} type="password" autoComplete="new-password" value={resetPw} onChange={(e) => setResetPw(e.target.value)} />
              )}
            </Field>
            <button type="button" className="btn" disabled={busy || !resetPw} onClick={reset}>
              {t('users.resetPassword')}
            </button>
          </div>
          <h3>{t('users.twoFactor')}</h3>
          <p className="hint">{t('users.twoFactorHint')}</p>
          <button type="button" className="btn" disabled={busy} onClick={resetTwoFactor} data-testid="reset-2fa">
            {t('users.resetTwoFactor')}
          </button>
          <h3>{t('users.status')}</h3>
          {user.active && confirmDeactivate ? (
            <div className="confirm-row" role="group" aria-label={t('users.deactivate')}>
              <p>{t('users.deactivateConfirm', { login: user.login })}</p>
              {mayUnassign && (
                <fieldset className="radio-list">
                  <legend>{t('users.deactivateChats')}</legend>
                  <label>
                    <input type="radio" name="deactivate-chats" checked={chats === 'keep'} onChange={() => setChats('keep')} /> {t('users.deactivateKeep')}
                  </label>
                  <label>
                    <input type="radio" name="deactivate-chats" checked={chats === 'unassign'} onChange={() => setChats('unassign')} />{' '}
                    {t('users.deactivateUnassign')}
                  </label>
                  <label>
                    <input
                      type="radio"
                      name="deactivate-chats"
                      checked={chats === 'reassign'}
                      onChange={() => setChats('reassign')}
                      data-testid="deactivate-reassign"
                    />{' '}
                    {t('users.deactivateReassign')}
                  </label>
                  {chats === 'reassign' && (
                    <Field label={t('users.deactivateReassignTo')}>
                      {(id, d) => (
                        <select id={id} aria-describedby={d} value={reassignTo} onChange={(e) => setReassignTo(e.target.value)} data-testid="deactivate-reassign-to">
                          <option value="">{t('users.deactivatePick')}</option>
                          {others.map((o) => (
                            <option key={o.id} value={o.id}>
                              {o.name} ({o.login})
                            </option>
                          ))}
                        </select>
                      )}
                    </Field>
                  )}
                </fieldset>
              )}
              <button type="button" className="btn btn-danger" disabled={busy || (mayUnassign && chats === 'reassign' && !reassignTo)} onClick={() => setActive(false)}>
                {t('users.deactivateYes', { login: user.login })}
              </button>
              <button type="button" className="btn" onClick={() => setConfirmDeactivate(false)}>
                {t('common.cancel')}
              </button>
            </div>
          ) : user.active ? (
            // Deactivating ends the user's sessions at once: ask first.
            <button type="button" className="btn btn-danger" disabled={busy} onClick={() => setConfirmDeactivate(true)}>
              {t('users.deactivate')}
            </button>
          ) : (
            <button type="button" className="btn" disabled={busy} onClick={() => setActive(true)}>
              {t('users.reactivate')}
            </button>
          )}
        </div>
      )}
    </Dialog>
  );
}
