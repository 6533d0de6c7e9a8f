import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { api } from '../../api/endpoints';
import type { Label } from '../../api/types';
import { useI18n } from '../../i18n';
import { errorText } from '../../lib/errors';
import { invalidateLabels } from '../../state/labels';
import { ErrorBox, Field } from '../common';
import { useToasts } from '../Toasts';

interface Form {
  id: string; // '' for a new label
  name: string;
  color: string;
}

const empty: Form = { id: '', name: '', color: '#3b82f6' };

/**
 * Labels is Administration → Labels (labels.manage): create, rename,
 * recolour and delete the labels everyone puts on conversations. Deleting
 * one takes it off every conversation.
 */
export function Labels() {
  const { t } = useI18n();
  const toasts = useToasts();
  const [items, setItems] = useState<Label[]>([]);
  const [form, setForm] = useState<Form>(empty);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const [confirm, setConfirm] = useState('');

  const load = useCallback(() => {
    api
      .labels()
      .then((r) => setItems(r.items ?? []))
      .catch((err: unknown) => setError(errorText(t, err)));
  }, [t]);
  useEffect(load, [load]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError('');
    try {
      const body = { name: form.name.trim(), color: form.color.toLowerCase() };
      if (form.id) await api.updateLabel(form.id, body);
      else await api.createLabel(body);
      toasts.show({ text: t(form.id ? 'labels.saved' : 'labels.created', { name: body.name }), tone: 'success' });
      setForm(empty);
      invalidateLabels();
      load();
    } catch (err) {
      setError(errorText(t, err));
    } finally {
      setBusy(false);
    }
  };

  const remove = async (l: Label) => {
    setConfirm('');
    try {
      await api.deleteLabel(l.id);
      toasts.show({ text: t('labels.deleted', { name: l.name }), tone: 'success' });
      if (form.id === l.id) setForm(empty);
      invalidateLabels();
      load();
    } catch (err) {
      setError(errorText(t, err));
    }
  };

  return (
    <div className="page" data-testid="labels-page">
      <h1>{t('labels.title')}</h1>
      <p className="hint">{t('labels.hint')}</p>
      <section className="card">
        <ErrorBox text={error} />
        <form onSubmit={submit} className="form-narrow" aria-label={form.id ? t('labels.editTitle') : t('labels.newTitle')}>
          <Field label={t('labels.name')}>
            {(id, d) => (
              <input
                id={id}
                aria-describedby={d}
                value={form.name}
                maxLength={40}
                onChange={(e) => setForm({ ...form, name: e.target.value })}
                required
                data-testid="label-name"
              />
            )}
          </Field>
          <Field label={t('labels.color')}>
            {(id, d) => (
              <input
                id={id}
                aria-describedby={d}
                type="color"
                className="label-color-input"
                value={form.color}
                onChange={(e) => setForm({ ...form, color: e.target.value })}
                data-testid="label-color"
              />
            )}
          </Field>
          <div className="form-actions">
            <button type="submit" className="btn btn-primary" disabled={busy || !form.name.trim()} data-testid="label-save">
              {form.id ? t('labels.save') : t('labels.add')}
            </button>
            {form.id && (
              <button type="button" className="btn" onClick={() => setForm(empty)}>
                {t('common.cancel')}
              </button>
            )}
          </div>
        </form>
        {items.length === 0 ? (
          <p className="hint">{t('labels.empty')}</p>
        ) : (
          <ul className="canned-items" aria-label={t('labels.title')}>
            {items.map((l) => (
              <li key={l.id} className="canned-item label-row" data-testid="label-row">
                <span className="label-chip label-chip-large">
                  <span className="label-dot" style={{ backgroundColor: l.color }} aria-hidden="true" />
                  {l.name}
                </span>
                <div className="canned-item-actions">
                  <button
                    type="button"
                    className="btn btn-small"
                    onClick={() => setForm({ id: l.id, name: l.name, color: l.color })}
                    aria-label={t('labels.editOne', { name: l.name })}
                  >
                    {t('labels.edit')}
                  </button>
                  {confirm === l.id ? (
                    <span role="group" aria-label={t('labels.deleteOne', { name: l.name })}>
                      <button type="button" className="btn btn-small btn-danger" onClick={() => void remove(l)} data-testid="label-delete-yes">
                        {t('labels.deleteYes')}
                      </button>{' '}
                      <button type="button" className="btn btn-small" onClick={() => setConfirm('')}>
                        {t('common.cancel')}
                      </button>
                    </span>
                  ) : (
                    <button type="button" className="btn btn-small" onClick={() => setConfirm(l.id)} aria-label={t('labels.deleteOne', { name: l.name })}>
                      {t('labels.delete')}
                    </button>
                  )}
                </div>
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}
