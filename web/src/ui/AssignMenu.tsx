import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { api } from '../api/endpoints';
import type { User, UserRef } from '../api/types';
import { useI18n } from '../i18n';
import { assigneeName } from '../lib/assignees';
import { errorText } from '../lib/errors';
import { displayName } from '../lib/format';
import { useInbox, useInboxContext } from '../state/store';
import { useTeams } from '../state/teams';
import { Avatar, Dialog, ErrorBox, Field, Spinner } from './common';
import { useToasts } from './Toasts';

/**
 * AssignMenu adds and removes assignees of one conversation: a search over
 * the users who can answer it (active, allowed to reply on its channel; the
 * server decides), several at once, each change applied immediately
 * (everyone else sees it through the conversation.assigned/unassigned
 * events). Deactivated assignees are marked and can be removed.
 */
export function AssignMenu({ conversationId, onClose }: { conversationId: string; onClose: () => void }) {
  const { t } = useI18n();
  const toasts = useToasts();
  const { actions } = useInboxContext();
  const conv = useInbox((s) => s.convs[conversationId]);
  const [q, setQ] = useState('');
  const [users, setUsers] = useState<User[]>([]);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState<string | null>(null);
  const listRef = useRef<HTMLUListElement>(null);
  const searchRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    const ctrl = new AbortController();
    const id = setTimeout(
      () => {
        setLoading(true);
        api
          .assignable(conversationId, q.trim(), ctrl.signal)
          .then((p) => {
            setUsers(p.items ?? []);
            setError('');
          })
          .catch((err: unknown) => {
            if (err instanceof DOMException && err.name === 'AbortError') return;
            setError(errorText(t, err));
          })
          .finally(() => setLoading(false));
      },
      q ? 200 : 0,
    );
    return () => {
      clearTimeout(id);
      ctrl.abort();
    };
  }, [q, t, conversationId]);

  useEffect(() => {
    searchRef.current?.focus();
  }, []);

  // Role names beside each person (who may not list roles sees the ids).
  const [roleNames, setRoleNames] = useState<Record<string, string>>({});
  useEffect(() => {
    api
      .roles()
      .then((p) => setRoleNames(Object.fromEntries((p.items ?? []).map((r) => [r.id, r.name]))))
      .catch(() => undefined);
  }, []);

  // The team: its members see the conversation and work on it.
  const teams = useTeams(true);
  const setTeam = async (teamId: string) => {
    if (busy) return;
    setBusy('team');
    setError('');
    try {
      await actions.setTeam(conversationId, teamId);
      const name = teams.find((x) => x.id === teamId)?.name ?? '';
      toasts.show(teamId ? { text: t('assign.teamSet', { name }), tone: 'success' } : { text: t('assign.teamCleared') });
    } catch (err) {
      setError(errorText(t, err));
    } finally {
      setBusy(null);
    }
  };

  const assignees: UserRef[] = conv?.assignees ?? [];
  const isAssigned = (id: string) => assignees.some((a) => a.id === id);

  const toggle = async (u: UserRef) => {
    if (busy) return;
    setBusy(u.id);
    setError('');
    try {
      if (isAssigned(u.id)) {
        await actions.unassign(conversationId, u.id);
        toasts.show({ text: t('assign.unassigned', { name: u.name }) });
      } else {
        await actions.assign(conversationId, u.id);
        toasts.show({ text: t('assign.assigned', { name: u.name }), tone: 'success' });
      }
    } catch (err) {
      setError(errorText(t, err));
    } finally {
      setBusy(null);
    }
  };

  // Arrow keys move between the search field and the results.
  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
    const buttons = Array.from(listRef.current?.querySelectorAll<HTMLButtonElement>('button') ?? []);
    if (buttons.length === 0) return;
    const i = buttons.indexOf(document.activeElement as HTMLButtonElement);
    e.preventDefault();
    if (e.key === 'ArrowDown') buttons[Math.min(buttons.length - 1, i + 1)]?.focus();
    else if (i <= 0) searchRef.current?.focus();
    else buttons[i - 1]?.focus();
  };

  const title = conv ? `${t('conv.assignTitle')}: ${displayName(conv)}` : t('conv.assignTitle');

  return (
    <Dialog title={title} onClose={onClose}>
      <div className="assign" onKeyDown={onKeyDown}>
        <Field label={t('assign.team')} hint={t('assign.teamHint')}>
          {(id, d) => (
            <select
              id={id}
              aria-describedby={d}
              value={conv?.team_id ?? ''}
              disabled={busy !== null}
              onChange={(e) => void setTeam(e.target.value)}
              data-testid="assign-team"
            >
              <option value="">{t('assign.teamNone')}</option>
              {conv?.team_id && !teams.some((x) => x.id === conv.team_id) && <option value={conv.team_id}>{conv.team_id}</option>}
              {teams.map((x) => (
                <option key={x.id} value={x.id}>
                  {x.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <h3 className="assign-head">{t('assign.current')}</h3>
        {assignees.length === 0 ? (
          <p className="hint">{t('conv.noAssignees')}</p>
        ) : (
          <ul className="assignee-chips">
            {assignees.map((a) => (
              <li key={a.id} className={a.deactivated ? 'assignee-chip assignee-chip-off' : 'assignee-chip'}>
                <Avatar id={a.id} name={assigneeName(t, a)} small off={a.deactivated} />
                <span>{assigneeName(t, a)}</span>
                <button
                  type="button"
                  className="icon-btn"
                  aria-label={t('assign.remove', { name: a.name })}
                  disabled={busy !== null}
                  onClick={() => void toggle(a)}
                >
                  ×
                </button>
              </li>
            ))}
          </ul>
        )}
        <label className="assign-search">
          <span className="visually-hidden">{t('assign.search')}</span>
          <input
            ref={searchRef}
            type="search"
            placeholder={t('assign.search')}
            value={q}
            onChange={(e) => setQ(e.target.value)}
            aria-controls="assign-results"
          />
        </label>
        <ErrorBox text={error} />
        <h3 className="assign-head">
          {t('assign.results')} {loading && <Spinner label={t('common.loading')} />}
        </h3>
        <ul className="assign-results" id="assign-results" ref={listRef}>
          {users.map((u) => {
            const on = isAssigned(u.id);
            return (
              <li key={u.id}>
                <button
                  type="button"
                  className={on ? 'assign-user assign-on' : 'assign-user'}
                  aria-pressed={on}
                  disabled={busy !== null}
                  onClick={() => void toggle(u)}
                >
                  <Avatar id={u.id} name={u.name} small />
                  {/* The name is read as part of "Assign <name>", which
                      contains what is seen, as speech input needs. */}
                  <span className="visually-hidden">{on ? t('assign.remove', { name: u.name }) : t('assign.add', { name: u.name })} </span>
                  <span className="assign-name">
                    <span aria-hidden="true">{u.name}</span> <span className="hint">{u.login}</span>{' '}
                    <span className="hint" data-testid="assign-meta">
                      {roleNames[u.role_id] ?? u.role_id} · {t(`availability.${u.availability ?? 'offline'}`)}
                    </span>
                  </span>
                  <span className="assign-check" aria-hidden="true">
                    {busy === u.id ? '…' : on ? '✓' : '+'}
                  </span>
                </button>
              </li>
            );
          })}
          {!loading && users.length === 0 && !error && <li className="hint">{t('assign.none')}</li>}
        </ul>
        <div className="dialog-actions">
          <button type="button" className="btn btn-primary" onClick={onClose}>
            {t('assign.done')}
          </button>
        </div>
      </div>
    </Dialog>
  );
}
