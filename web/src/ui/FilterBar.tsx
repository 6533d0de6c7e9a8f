import { useEffect, useId, useState } from 'react';
import { api } from '../api/endpoints';
import type { Channel, User } from '../api/types';
import { useI18n } from '../i18n';
import { extraFilters, type Filter } from '../state/inbox';
import { useLabels } from '../state/labels';

/**
 * FilterBar holds the list filters beyond the status and assignment tabs:
 * a label, an assignee (for those who see everything and may list users),
 * a channel (when there is more than one), unread only and the order
 * "waiting longest". They combine with the tabs and the search. Folded by
 * default so phones keep room for the list; the button says how many are on.
 */
export function FilterBar({ filter, setFilter, readAll, canListUsers }: { filter: Filter; setFilter: (f: Partial<Filter>) => void; readAll: boolean; canListUsers: boolean }) {
  const { t } = useI18n();
  const n = extraFilters(filter);
  const [open, setOpen] = useState(n > 0);
  const labels = useLabels(open);
  const [users, setUsers] = useState<User[]>([]);
  const [channels, setChannels] = useState<Channel[]>([]);
  const panelId = useId();
  const showUsers = readAll && canListUsers;

  useEffect(() => {
    if (!open || !showUsers) return;
    api
      .users({ active: true, limit: 200 })
      .then((p) => setUsers(p.items ?? []))
      .catch(() => setUsers([]));
  }, [open, showUsers]);
  useEffect(() => {
    if (!open) return;
    api
      .channels()
      .then((p) => setChannels(p.items ?? []))
      .catch(() => setChannels([]));
  }, [open]);

  return (
    <div className="filter-bar">
      <div className="filter-bar-head">
        <button
          type="button"
          className={n > 0 ? 'chip chip-quiet chip-on' : 'chip chip-quiet'}
          aria-expanded={open}
          aria-controls={panelId}
          onClick={() => setOpen((o) => !o)}
          data-testid="filter-toggle"
        >
          {n > 0 ? t('filters.moreOn', { n: String(n) }) : t('filters.more')}
        </button>
        {n > 0 && (
          <button
            type="button"
            className="chip chip-quiet"
            onClick={() => setFilter({ label: '', assignee: '', channel: '', unread: false, sort: 'newest' })}
            data-testid="filter-clear"
          >
            {t('filters.clear')}
          </button>
        )}
      </div>
      <div className="filter-bar-fields" id={panelId} hidden={!open}>
        <label className="filter-field">
          <span>{t('filters.label')}</span>
          <select value={filter.label ?? ''} onChange={(e) => setFilter({ label: e.target.value })} data-testid="filter-label">
            <option value="">{t('filters.any')}</option>
            {(labels ?? []).map((l) => (
              <option key={l.id} value={l.id}>
                {l.name}
              </option>
            ))}
          </select>
        </label>
        {showUsers && (
          <label className="filter-field">
            <span>{t('filters.assignee')}</span>
            <select value={filter.assignee ?? ''} onChange={(e) => setFilter({ assignee: e.target.value })} data-testid="filter-assignee">
              <option value="">{t('filters.anyone')}</option>
              {users.map((u) => (
                <option key={u.id} value={u.id}>
                  {u.name}
                </option>
              ))}
            </select>
          </label>
        )}
        {channels.length > 1 && (
          <label className="filter-field">
            <span>{t('filters.channel')}</span>
            <select value={filter.channel ?? ''} onChange={(e) => setFilter({ channel: e.target.value })} data-testid="filter-channel">
              <option value="">{t('filters.any')}</option>
              {channels.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name}
                </option>
              ))}
            </select>
          </label>
        )}
        <label className="filter-field">
          <span>{t('filters.sort')}</span>
          <select value={filter.sort ?? 'newest'} onChange={(e) => setFilter({ sort: e.target.value === 'waiting' ? 'waiting' : 'newest' })} data-testid="filter-sort">
            <option value="newest">{t('filters.newest')}</option>
            <option value="waiting">{t('filters.waiting')}</option>
          </select>
        </label>
        <label className="check filter-check">
          <input type="checkbox" checked={!!filter.unread} onChange={(e) => setFilter({ unread: e.target.checked })} data-testid="filter-unread" />
          {t('filters.unread')}
        </label>
      </div>
    </div>
  );
}
