import { useEffect, useId, useState, type FormEvent } from 'react';
import { api } from '../../api/endpoints';
import type { Channel, Permission, Role } from '../../api/types';
import { useI18n, type Key } from '../../i18n';
import { errorText } from '../../lib/errors';
import { Dialog, ErrorBox, Field, Spinner } from '../common';
import { useToasts } from '../Toasts';

export function Roles() {
  const { t } = useI18n();
  const [roles, setRoles] = useState<Role[] | null>(null);
  const [perms, setPerms] = useState<Permission[]>([]);
  const [channels, setChannels] = useState<Channel[]>([]);
  const [error, setError] = useState('');
  const [editing, setEditing] = useState<Role | 'new' | null>(null);

  const load = () => {
    api
      .roles()
      .then((p) => setRoles(p.items ?? []))
      .catch((err: unknown) => setError(errorText(t, err)));
  };

  useEffect(() => {
    load();
    api
      .permissions()
      .then((p) => setPerms((p.items ?? []).map((x) => x.name)))
      .catch((err: unknown) => setError(errorText(t, err)));
    // Channels arrive in a later server version; without them roles apply to all channels.
    api
      .channels()
      .then((p) => setChannels(p.items ?? []))
      .catch(() => setChannels([]));
    // Once on mount: load and t are new in each render, and a language change needs no reload.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const channelName = (id: string) => channels.find((c) => c.id === id)?.name ?? id;

  return (
    <div className="page">
      <div className="page-head">
        <h1>{t('roles.title')}</h1>
        <button type="button" className="btn btn-primary" onClick={() => setEditing('new')}>
          + {t('roles.new')}
        </button>
      </div>
      <ErrorBox text={error} />
      {!roles && !error && <Spinner label={t('common.loading')} />}
      <div className="cards">
        {(roles ?? []).map((r) => (
          <article key={r.id} className="card role-card" data-testid="role-card">
            <div className="card-head">
              <h2>{r.name}</h2>
              {r.built_in && <span className="tag">{t('roles.builtIn')}</span>}
            </div>
            {r.description && <p className="hint">{r.description}</p>}
            <ul className="perm-list">
              {[...(r.permissions ?? [])].sort((a, b) => perms.indexOf(a) - perms.indexOf(b)).map((p) => (
                <li key={p}>✓ {t(`perm.${p}` as Key)}</li>
              ))}
            </ul>
            <p className="hint">
              {t('roles.channels')}:{' '}
              {r.all_channels ? t('roles.allChannels') : (r.channel_ids ?? []).map(channelName).join(', ')}
            </p>
            <label className="check">
              <input
                type="checkbox"
                role="switch"
                checked={!!r.require_two_factor}
                data-testid="role-require-2fa"
                onChange={(e) => {
                  const on = e.target.checked;
                  setError('');
                  api
                    .setRoleTwoFactor(r.id, on)
                    .then((nr) => setRoles((rs) => (rs ?? []).map((x) => (x.id === nr.id ? nr : x))))
                    .catch((err: unknown) => setError(errorText(t, err)));
                }}
              />
              {t('roles.requireTwoFactor')}
            </label>
            {r.id === 'admin' && <p className="hint">{t('roles.adminTwoFactorHint')}</p>}
            <button
              type="button"
              className="btn btn-small"
              onClick={() => setEditing(r)}
              aria-label={r.built_in ? t('roles.view', { name: r.name }) : t('roles.edit', { name: r.name })}
            >
              {r.built_in ? t('common.details') : t('common.edit')}
            </button>
          </article>
        ))}
      </div>
      {editing && (
        <RoleDialog
          role={editing === 'new' ? null : editing}
          perms={perms}
          channels={channels}
          onClose={() => setEditing(null)}
          onSaved={() => {
            setEditing(null);
            load();
          }}
        />
      )}
    </div>
  );
}

function RoleDialog({
  role,
  perms,
  channels,
  onClose,
  onSaved,
}: {
  role: Role | null;
  perms: Permission[];
  channels: Channel[];
  onClose: () => void;
  onSaved: () => void;
}) {
  const { t } = useI18n();
  const toasts = useToasts();
  const readOnly = !!role?.built_in;
  const [name, setName] = useState(role?.name ?? '');
  const [description, setDescription] = useState(role?.description ?? '');
  const [selected, setSelected] = useState<Permission[]>(role?.permissions ?? []);
  // "All channels" is an explicit choice: a role limited to channels must
  // keep at least one (the server refuses an empty list).
  const [all, setAll] = useState<boolean>(role ? role.all_channels : true);
  const [scope, setScope] = useState<string[]>(role?.channel_ids ?? []);
  const scopeListId = useId();
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  const togglePerm = (p: Permission) => setSelected((s) => (s.includes(p) ? s.filter((x) => x !== p) : [...s, p]));
  const toggleChannel = (id: string) => setScope((s) => (s.includes(id) ? s.filter((x) => x !== id) : [...s, id]));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (readOnly) return;
    setBusy(true);
    setError('');
    try {
      const allChannels = all || channels.length === 0;
      const body = {
        name: name.trim(),
        description: description.trim(),
        permissions: selected,
        all_channels: allChannels,
        channel_ids: allChannels ? [] : scope,
      };
      if (role) {
        await api.updateRole(role.id, body);
        toasts.show({ text: t('roles.savedToast', { name: body.name }), tone: 'success' });
      } else {
        await api.createRole(body);
        toasts.show({ text: t('roles.createdToast', { name: body.name }), tone: 'success' });
      }
      onSaved();
    } catch (err) {
      setError(errorText(t, err));
    } finally {
      setBusy(false);
    }
  };

  const remove = async () => {
    if (!role || !window.confirm(t('roles.deleteConfirm', { name: role.name }))) return;
    setBusy(true);
    try {
      await api.deleteRole(role.id);
      toasts.show({ text: t('roles.deletedToast', { name: role.name }) });
      onSaved();
    } catch (err) {
      setError(errorText(t, err));
    } finally {
      setBusy(false);
    }
  };

  const title = !role ? t('roles.new') : readOnly ? t('roles.view', { name: role.name }) : t('roles.edit', { name: role.name });

  return (
    <Dialog title={title} onClose={onClose} wide>
      <form onSubmit={submit}>
        {readOnly && <p className="notice">{t('roles.builtInHint')}</p>}
        <fieldset disabled={readOnly || busy} className="plain-fieldset">
          <Field label={t('roles.name')}>
            {(id, d) => <input id={id} aria-describedby={d} value={name} onChange={(e) => setName(e.target.value)} required maxLength={100} />}
          </Field>
          <Field label={t('roles.description')}>
            {(id, d) => (
              <textarea id={id} aria-describedby={d} value={description} onChange={(e) => setDescription(e.target.value)} maxLength={500} rows={2} />
            )}
          </Field>
          <fieldset className="checks">
            <legend>{t('roles.permissions')}</legend>
            {perms.map((p) => (
              <label key={p} className="check">
                <input type="checkbox" checked={selected.includes(p)} onChange={() => togglePerm(p)} />
                {t(`perm.${p}` as Key)} <code className="hint">{p}</code>
              </label>
            ))}
          </fieldset>
          <fieldset className="checks">
            <legend>{t('roles.channels')}</legend>
            {channels.length === 0 ? (
              <p className="hint">{t('roles.noChannels')}</p>
            ) : (
              <>
                {/* Two choices, and the channel checkboxes belong to the
                    second: they appear under it only when it is chosen. */}
                <label className="check scope-option">
                  <input type="radio" name="scope" checked={all} onChange={() => setAll(true)} />
                  <span>
                    {t('roles.allChannels')} <span className="hint">{t('roles.allChannelsHint')}</span>
                  </span>
                </label>
                <label className="check scope-option">
                  <input type="radio" name="scope" checked={!all} onChange={() => setAll(false)} aria-controls={scopeListId} />
                  {t('roles.someChannels')}
                </label>
                <fieldset className="checks scope-channels" id={scopeListId} hidden={all} data-testid="scope-channels">
                  <legend className="visually-hidden">{t('roles.someChannels')}</legend>
                  {channels.map((c) => (
                    <label key={c.id} className="check">
                      <input type="checkbox" checked={scope.includes(c.id)} onChange={() => toggleChannel(c.id)} />
                      {c.name} <span className="hint">{c.display_phone_number}</span>
                    </label>
                  ))}
                </fieldset>
              </>
            )}
          </fieldset>
        </fieldset>
        <ErrorBox text={error} />
        <div className="dialog-actions">
          {role && !readOnly && (
            <button type="button" className="btn btn-danger" onClick={() => void remove()} disabled={busy}>
              {t('common.delete')}
            </button>
          )}
          <button type="button" className="btn" onClick={onClose}>
            {readOnly ? t('common.close') : t('common.cancel')}
          </button>
          {!readOnly && (
            <button type="submit" className="btn btn-primary" disabled={busy || !name.trim()}>
              {role ? t('common.save') : t('common.create')}
            </button>
          )}
        </div>
      </form>
    </Dialog>
  );
}
