import { useEffect, useState } from 'react';
import { api } from '../../api/endpoints';
import type { ChannelRouting as Routing, Role, Team } from '../../api/types';
import { useI18n } from '../../i18n';
import { errorText } from '../../lib/errors';
import { ErrorBox, Field } from '../common';
import { useToasts } from '../Toasts';

/**
 * ChannelRouting edits a channel's automatic assignment (docs/routing.md):
 * off by default, or round robin / least busy among the online employees
 * of the chosen teams or roles, with a capacity and a re-offer time. It
 * saves on its own, beside the channel's form.
 */
export function ChannelRouting({ channelId }: { channelId: string }) {
  const { t } = useI18n();
  const toasts = useToasts();
  const [r, setR] = useState<Routing | null>(null);
  const [teams, setTeams] = useState<Team[]>([]);
  const [roles, setRoles] = useState<Role[]>([]);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    let live = true;
    api
      .channelRouting(channelId)
      .then((x) => live && setR(x))
      .catch((err: unknown) => live && setError(errorText(t, err)));
    api
      .teams()
      .then((p) => live && setTeams(p.items ?? []))
      .catch(() => undefined);
    api
      .roles()
      .then((p) => live && setRoles(p.items ?? []))
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [channelId, t]);

  if (!r) return <ErrorBox text={error} />;

  const toggle = (list: string[], id: string, on: boolean) => (on ? [...list, id] : list.filter((x) => x !== id));
  const save = async () => {
    setBusy(true);
    setError('');
    try {
      setR(await api.setChannelRouting(channelId, r));
      toasts.show({ text: t('routing.saved'), tone: 'success' });
    } catch (err) {
      setError(errorText(t, err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <fieldset className="grid-form routing" data-testid="channel-routing">
      <legend>{t('routing.title')}</legend>
      <Field label={t('routing.mode')} hint={t('routing.modeHint')}>
        {(id, d) => (
          <select
            id={id}
            aria-describedby={d}
            value={r.mode}
            onChange={(e) => setR({ ...r, mode: e.target.value as Routing['mode'] })}
            data-testid="routing-mode"
          >
            <option value="off">{t('routing.off')}</option>
            <option value="round_robin">{t('routing.roundRobin')}</option>
            <option value="least_busy">{t('routing.leastBusy')}</option>
          </select>
        )}
      </Field>
      <Field label={t('routing.capacity')} hint={t('routing.capacityHint')}>
        {(id, d) => (
          <input
            id={id}
            aria-describedby={d}
            type="text"
            inputMode="numeric"
            value={String(r.capacity)}
            onChange={(e) => setR({ ...r, capacity: Number(e.target.value.replace(/\D/g, '')) || 0 })}
          />
        )}
      </Field>
      <Field label={t('routing.reoffer')} hint={t('routing.reofferHint')}>
        {(id, d) => (
          <input
            id={id}
            aria-describedby={d}
            type="text"
            inputMode="numeric"
            value={String(r.reoffer_minutes)}
            onChange={(e) => setR({ ...r, reoffer_minutes: Number(e.target.value.replace(/\D/g, '')) || 0 })}
          />
        )}
      </Field>
      <div className="span-2">
        <p className="hint">{t('routing.groupsHint')}</p>
        {teams.map((tm) => (
          <label key={tm.id} className="check">
            <input
              type="checkbox"
              checked={r.team_ids.includes(tm.id)}
              onChange={(e) => setR({ ...r, team_ids: toggle(r.team_ids, tm.id, e.target.checked) })}
            />
            {t('routing.team', { name: tm.name })}
          </label>
        ))}
        {roles.map((ro) => (
          <label key={ro.id} className="check">
            <input
              type="checkbox"
              checked={r.role_ids.includes(ro.id)}
              onChange={(e) => setR({ ...r, role_ids: toggle(r.role_ids, ro.id, e.target.checked) })}
            />
            {t('routing.role', { name: ro.name })}
          </label>
        ))}
      </div>
      <ErrorBox text={error} />
      <div className="dialog-actions span-2">
        <button type="button" className="btn" disabled={busy} onClick={() => void save()} data-testid="routing-save">
          {t('routing.save')}
        </button>
      </div>
    </fieldset>
  );
}
