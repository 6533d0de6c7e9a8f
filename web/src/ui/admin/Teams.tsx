import { useEffect, useState, type FormEvent } from 'react';
import { api } from '../../api/endpoints';
import type { Team, User } from '../../api/types';
import { useI18n } from '../../i18n';
import { errorText } from '../../lib/errors';
import { Dialog, ErrorBox, Field, Spinner } from '../common';
import { useToasts } from '../Toasts';

/**
 * Teams is the users page's section for teams (users.manage): create one,
 * rename it, set its members (active users), delete it. A conversation
 * assigned to a team is seen and worked on by its members; automatic
 * assignment can be limited to teams (docs/routing.md).
 */
export function Teams() {
  const { t } = useI18n();
  const toasts = useToasts();
  const [teams, setTeams] = useState<Team[]>([]);
  const [users, setUsers] = useState<User[]>([]);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState('');
  const [editing, setEditing] = useState<Team | 'new' | null>(null);
  const [confirmDelete, setConfirmDelete] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    let live = true;
    api
      .teams()
      .then((p) => live && setTeams(p.items ?? []))
      .catch((err: unknown) => live && setError(errorText(t, err)))
      .finally(() => live && setLoading(false));
    api
      .users({ active: true, limit: 200 })
      .then((p) => live && setUsers(p.items ?? []))
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [t]);

  const userName = (id: string) => users.find((u) => u.id === id)?.name ?? id;

  const saved = (tm: Team) => {
    setTeams((prev) => {
      const i = prev.findIndex((x) => x.id === tm.id);
      const next = i < 0 ? [...prev, tm] : prev.map((x) => (x.id === tm.id ? tm : x));
      return next.sort((a, b) => a.name.localeCompare(b.name));
    });
    setEditing(null);
  };

  const remove = async (tm: Team) => {
    setBusy(true);
    setError('');
    try {
      await api.deleteTeam(tm.id);
      setTeams((prev) => prev.filter((x) => x.id !== tm.id));
      setConfirmDelete(null);
      toasts.show({ text: t('teams.deletedToast', { name: tm.name }) });
    } catch (err) {
      setError(errorText(t, err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card" aria-labelledby="teams-title" data-testid="teams">
      <div className="page-head">
        <h2 id="teams-title">{t('teams.title')}</h2>
        <button type="button" className="btn" onClick={() => setEditing('new')}>
          + {t('teams.new')}
        </button>
      </div>
      <p className="hint">{t('teams.hint')}</p>
      <ErrorBox text={error} />
      {loading && <Spinner label={t('common.loading')} />}
      {!loading && teams.length === 0 && !error && <p className="hint">{t('teams.empty')}</p>}
      {teams.length > 0 && (
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">{t('teams.name')}</th>
                <th scope="col">{t('teams.members')}</th>
                <th scope="col">
                  <span className="visually-hidden">{t('common.edit')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {teams.map((tm) => (
                <tr key={tm.id} data-testid="team-row">
                  <td>{tm.name}</td>
                  <td>{tm.member_ids.length === 0 ? <span className="hint">{t('teams.noMembers')}</span> : tm.member_ids.map(userName).join(', ')}</td>
                  <td className="team-actions">
                    {confirmDelete === tm.id ? (
                      <span role="group" aria-label={t('teams.delete', { name: tm.name })}>
                        <button type="button" className="btn btn-small btn-danger" disabled={busy} onClick={() => void remove(tm)}>
                          {t('teams.deleteYes', { name: tm.name })}
                        </button>{' '}
                        <button type="button" className="btn btn-small" onClick={() => setConfirmDelete(null)}>
                          {t('common.cancel')}
                        </button>
                      </span>
                    ) : (
                      <>
                        <button type="button" className="btn btn-small" onClick={() => setEditing(tm)} aria-label={t('teams.edit', { name: tm.name })}>
                          {t('common.edit')}
                        </button>{' '}
                        <button
                          type="button"
                          className="btn btn-small"
                          onClick={() => setConfirmDelete(tm.id)}
                          aria-label={t('teams.delete', { name: tm.name })}
                        >
                          {t('common.delete')}
                        </button>
                      </>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {editing && <TeamDialog team={editing === 'new' ? null : editing} users={users} onClose={() => setEditing(null)} onSaved={saved} />}
    </section>
  );
}

function TeamDialog({ team, users, onClose, onSaved }: { team: Team | null; users: User[]; onClose: () => void; onSaved: (t: Team) => void }) {
  const { t } = useI18n();
  const toasts = useToasts();
  const [name, setName] = useState(team?.name ?? '');
  const [members, setMembers] = useState<string[]>(team?.member_ids ?? []);
  const [q, setQ] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  const needle = q.trim().toLowerCase();
  const shown = users.filter((u) => !needle || u.name.toLowerCase().includes(needle) || u.login.toLowerCase().includes(needle));
  // Members who are not in the active list (deactivated since) stay listed, so they can be removed.
  const missing = members.filter((id) => !users.some((u) => u.id === id));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError('');
    try {
      const body = { name: name.trim(), member_ids: members };
      const tm = team ? await api.updateTeam(team.id, body) : await api.createTeam(body);
      toasts.show({ text: t(team ? 'teams.savedToast' : 'teams.createdToast', { name: tm.name }), tone: 'success' });
      onSaved(tm);
    } catch (err) {
      setError(errorText(t, err));
    } finally {
      setBusy(false);
    }
  };

  const toggle = (id: string, on: boolean) => setMembers((prev) => (on ? [...prev, id] : prev.filter((x) => x !== id)));

  return (
    <Dialog title={team ? t('teams.edit', { name: team.name }) : t('teams.new')} onClose={onClose}>
      <form onSubmit={(e) => void submit(e)} className="form-narrow">
        <Field label={t('teams.name')}>
          {(id, d) => <input id={id} aria-describedby={d} value={name} onChange={(e) => setName(e.target.value)} required maxLength={100} autoComplete="off" />}
        </Field>
        <fieldset className="checks team-members">
          <legend>
            {t('teams.members')} ({members.length})
          </legend>
          <input type="search" placeholder={t('teams.filterMembers')} aria-label={t('teams.filterMembers')} value={q} onChange={(e) => setQ(e.target.value)} />
          <div className="team-member-list">
            {missing.map((id) => (
              <label key={id} className="check">
                <input type="checkbox" checked onChange={(e) => toggle(id, e.target.checked)} /> {t('inbox.deactivatedName', { name: id })}
              </label>
            ))}
            {shown.map((u) => (
              <label key={u.id} className="check">
                <input type="checkbox" checked={members.includes(u.id)} onChange={(e) => toggle(u.id, e.target.checked)} /> {u.name}{' '}
                <span className="hint">{u.login}</span>
              </label>
            ))}
          </div>
        </fieldset>
        <ErrorBox text={error} />
        <div className="dialog-actions">
          <button type="button" className="btn" onClick={onClose}>
            {t('common.cancel')}
          </button>
          <button type="submit" className="btn btn-primary" disabled={busy || !name.trim()}>
            {team ? t('common.save') : t('common.create')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
