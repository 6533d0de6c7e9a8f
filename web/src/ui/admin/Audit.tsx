import { Fragment, useCallback, useEffect, useState, type FormEvent } from 'react';
import { api } from '../../api/endpoints';
import type { AuditEntry, AuditVerifyResult, Conversation, Role, User } from '../../api/types';
import { useI18n, type Key } from '../../i18n';
import { errorText } from '../../lib/errors';
import { auditActionName, auditTypeName } from '../../lib/auditNames';
import { dateTime, displayName } from '../../lib/format';
import { useInboxContext } from '../../state/store';
import { onLinkClick } from '../router';
import { ErrorBox, Spinner } from '../common';

interface Filters {
  actor: string;
  action: string;
  object_type: string;
  object: string;
  since: string;
  until: string;
}

const noFilters: Filters = { actor: '', action: '', object_type: '', object: '', since: '', until: '' };

/** localToRFC3339 turns a datetime-local value (local time, no zone) into RFC 3339 UTC for the API. */
export function localToRFC3339(v: string): string {
  if (!v) return '';
  const d = new Date(v);
  if (Number.isNaN(d.getTime())) return '';
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function Audit() {
  const { t, locale } = useI18n();
  const [draft, setDraft] = useState<Filters>(noFilters);
  const [filters, setFilters] = useState<Filters>(noFilters);
  const [entries, setEntries] = useState<AuditEntry[]>([]);
  const [next, setNext] = useState('');
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState('');
  const [users, setUsers] = useState<User[]>([]);
  const [actions, setActions] = useState<string[]>([]);
  const [objectTypes, setObjectTypes] = useState<string[]>([]);
  const [roles, setRoles] = useState<Role[]>([]);
  // Conversations named in the entries, by id: the ones the viewer may see
  // (the others answer 404 and stay ids).
  const [convs, setConvs] = useState<Record<string, Conversation | null>>({});
  const { can } = useInboxContext();
  const [verify, setVerify] = useState<AuditVerifyResult | null>(null);
  const [verifying, setVerifying] = useState(false);

  const load = useCallback(
    (f: Filters, cursor: string) => {
      setLoading(true);
      api
        .audit({
          actor: f.actor,
          action: f.action.trim(),
          object_type: f.object_type.trim(),
          object: f.object.trim(),
          since: localToRFC3339(f.since),
          until: localToRFC3339(f.until),
          cursor,
          limit: 50,
        })
        .then((p) => {
          setEntries((prev) => (cursor ? [...prev, ...(p.items ?? [])] : (p.items ?? [])));
          setNext(p.next_cursor ?? '');
          setError('');
        })
        .catch((err: unknown) => setError(errorText(t, err)))
        .finally(() => setLoading(false));
    },
    [t],
  );

  useEffect(() => load(filters, ''), [filters, load]);

  useEffect(() => {
    api
      .users({ limit: 200 })
      .then((p) => setUsers(p.items ?? []))
      .catch(() => setUsers([]));
    api
      .auditActions()
      .then((p) => {
        setActions(p.items ?? []);
        setObjectTypes(p.object_types ?? []);
      })
      .catch(() => setActions([]));
  }, []);

  // Roles by name, for who may list them (the others see ids).
  const mayListRoles = can('roles.manage') || can('users.manage') || can('users.read');
  useEffect(() => {
    if (!mayListRoles) return;
    api
      .roles()
      .then((p) => setRoles(p.items ?? []))
      .catch(() => setRoles([]));
  }, [mayListRoles]);

  // Name the conversations the entries are about, once each.
  useEffect(() => {
    const wanted = [...new Set(entries.filter((e) => e.object_type === 'conversation' && e.object_id).map((e) => e.object_id))].filter(
      (id) => !(id in convs),
    );
    if (wanted.length === 0) return;
    setConvs((m) => ({ ...m, ...Object.fromEntries(wanted.map((id) => [id, null])) }));
    for (const id of wanted) {
      api.conversation(id).then(
        (c) => setConvs((m) => ({ ...m, [id]: c })),
        () => undefined,
      );
    }
  }, [entries, convs]);

  const userById = new Map(users.map((u) => [u.id, u]));
  const roleById = new Map(roles.map((r) => [r.id, r]));
  // Contacts by name where the reader sees a conversation of theirs.
  const contactById = new Map(
    Object.values(convs)
      .filter((c): c is Conversation => c !== null)
      .map((c) => [c.contact.id, c]),
  );
  /** roleLink names a role, linked to the roles screen when the viewer may open it; the id when unknown. */
  const roleLink = (id: string) => {
    const r = roleById.get(id);
    if (!r) return <span className="mono-cut" title={id}>{id}</span>;
    if (!can('roles.manage')) return <span title={id}>{r.name}</span>;
    return (
      <a href="/admin/roles" onClick={(e) => onLinkClick(e, '/admin/roles')} title={id}>
        {r.name}
      </a>
    );
  };
  /** userLink names a user, linked to the users screen when the viewer may open it; the id when unknown. */
  const userLink = (id: string, fallback: string) => {
    const u = userById.get(id);
    if (!u) return <span className="mono-cut" title={id}>{fallback || id || '—'}</span>;
    if (!can('users.manage')) return <span title={u.login}>{u.name}</span>;
    const to = `/admin/users?q=${encodeURIComponent(u.login)}`;
    return (
      <a href={to} onClick={(e) => onLinkClick(e, to)} title={u.login}>
        {u.name}
      </a>
    );
  };
  const objectCell = (e: AuditEntry) => {
    if (!e.object_id) return '—';
    if (e.object_type === 'user') return userLink(e.object_id, e.object_id);
    if (e.object_type === 'role') return roleLink(e.object_id);
    const c = e.object_type === 'conversation' ? convs[e.object_id] : e.object_type === 'contact' ? contactById.get(e.object_id) : null;
    if (c) {
      const to = `/c/${encodeURIComponent(c.id)}`;
      return (
        <a href={to} onClick={(ev) => onLinkClick(ev, to)} title={e.object_id}>
          {displayName(c)}
        </a>
      );
    }
    return (
      <span className="mono-cut" title={e.object_id}>
        {e.object_id}
      </span>
    );
  };
  const detailCell = (e: AuditEntry) =>
    e.detail
      ? Object.entries(e.detail).map(([k, v], i) => (
          <Fragment key={k}>
            {i > 0 && ', '}
            {k}={k === 'user_id' && userById.has(v) ? userLink(v, v) : k === 'role' && roleById.has(v) ? roleLink(v) : v}
          </Fragment>
        ))
      : '';

  const apply = (e: FormEvent) => {
    e.preventDefault();
    setFilters({ ...draft });
  };

  const runVerify = async () => {
    setVerifying(true);
    setVerify(null);
    try {
      setVerify(await api.verifyAudit());
    } catch (err) {
      setError(errorText(t, err));
    } finally {
      setVerifying(false);
    }
  };

  const set = (k: keyof Filters, v: string) => setDraft((d) => ({ ...d, [k]: v }));

  return (
    <div className="page page-wide">
      <div className="page-head">
        <h1>{t('audit.title')}</h1>
        <button type="button" className="btn" onClick={() => void runVerify()} disabled={verifying} data-testid="verify-audit">
          {t('audit.verify')}
        </button>
      </div>
      {verify && (
        <p className={verify.ok ? 'banner banner-ok' : 'banner banner-error'} role="status" data-testid="verify-result">
          {verify.ok
            ? t('audit.verifyOk', { n: verify.checked })
            : t('audit.verifyBroken', { seq: verify.broken_at ?? '?', reason: verify.reason ?? '' })}
        </p>
      )}
      <form className="filter-grid" onSubmit={apply}>
        <label>
          {t('audit.actor')}
          <select value={draft.actor} onChange={(e) => set('actor', e.target.value)}>
            <option value="">{t('audit.actorAny')}</option>
            {users.map((u) => (
              <option key={u.id} value={u.id}>
                {u.name} ({u.login})
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('audit.action')}
          <select value={draft.action} onChange={(e) => set('action', e.target.value)} data-testid="audit-action">
            <option value="">{t('audit.actionAny')}</option>
            {actions.map((a) => (
              <option key={a} value={a}>
                {auditActionName(t, a)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('audit.objectType')}
          <select value={draft.object_type} onChange={(e) => set('object_type', e.target.value)} data-testid="audit-object-type">
            <option value="">{t('audit.objectTypeAny')}</option>
            {objectTypes.map((ty) => (
              <option key={ty} value={ty}>
                {auditTypeName(t, ty)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('audit.object')}
          <input value={draft.object} onChange={(e) => set('object', e.target.value)} maxLength={100} />
        </label>
        <label>
          {t('audit.since')}
          <input type="datetime-local" value={draft.since} onChange={(e) => set('since', e.target.value)} />
        </label>
        <label>
          {t('audit.until')}
          <input type="datetime-local" value={draft.until} onChange={(e) => set('until', e.target.value)} />
        </label>
        <div className="filter-actions">
          <button type="submit" className="btn btn-primary">
            {t('audit.apply')}
          </button>
          <button
            type="button"
            className="btn"
            onClick={() => {
              setDraft(noFilters);
              setFilters(noFilters);
            }}
          >
            {t('audit.reset')}
          </button>
        </div>
      </form>
      <ErrorBox text={error} />
      <div className="table-wrap">
        <table className="table table-dense">
          <thead>
            <tr>
              <th scope="col">{t('audit.seq')}</th>
              <th scope="col">{t('audit.time')}</th>
              <th scope="col">{t('audit.actor')}</th>
              <th scope="col">{t('audit.action')}</th>
              <th scope="col">{t('audit.objectType')}</th>
              <th scope="col">{t('audit.object')}</th>
              <th scope="col">{t('audit.outcome')}</th>
              <th scope="col">{t('audit.ip')}</th>
              <th scope="col">{t('audit.detail')}</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((e) => (
              <tr key={e.seq} data-testid="audit-row">
                <td>{e.seq}</td>
                <td className="nowrap">{dateTime(e.at, locale)}</td>
                <td>{e.actor_id ? userLink(e.actor_id, e.actor_login) : e.actor_login || '—'}</td>
                <td title={e.action}>{auditActionName(t, e.action)}</td>
                <td title={e.object_type}>{e.object_type ? auditTypeName(t, e.object_type) : ''}</td>
                <td>{objectCell(e)}</td>
                <td>
                  <span className={`tag tag-${e.outcome}`}>{t(`audit.o.${e.outcome}` as Key)}</span>
                </td>
                <td>{e.ip}</td>
                <td className="detail">{detailCell(e)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {!loading && entries.length === 0 && !error && <p className="hint">{t('audit.empty')}</p>}
      {loading && <Spinner label={t('common.loading')} />}
      {next && !loading && (
        <button type="button" className="btn" onClick={() => load(filters, next)}>
          {t('common.loadMore')}
        </button>
      )}
    </div>
  );
}
