import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { api } from '../api/endpoints';
import type { CannedReply, CannedScope } from '../api/types';
import { useI18n } from '../i18n';
import { cannedVariables, preview, validShortcut, variableProblem } from '../lib/canned';
import { errorText } from '../lib/errors';
import { invalidateCanned } from '../state/canned';
import { ErrorBox, Field } from './common';
import { useToasts } from './Toasts';

interface Form {
  id: string; // '' for a new reply
  shortcut: string;
  title: string;
  text: string;
}

const empty: Form = { id: '', shortcut: '', title: '', text: '' };

/**
 * CannedRepliesPanel lists and edits the canned replies of one scope: the
 * user's own (My account) or the shared ones (for canned_replies.manage).
 */
export function CannedRepliesPanel({ scope }: { scope: CannedScope }) {
  const { t } = useI18n();
  const toasts = useToasts();
  const [items, setItems] = useState<CannedReply[]>([]);
  const [form, setForm] = useState<Form>(empty);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const [confirm, setConfirm] = useState('');

  const load = useCallback(() => {
    api
      .cannedReplies('', scope)
      .then((r) => setItems(r.items ?? []))
      .catch((err: unknown) => setError(errorText(t, err)));
  }, [scope, t]);
  useEffect(load, [load]);

  const problem = variableProblem(form.text);
  const textError = !problem ? '' : 'name' in problem ? t('canned.unknownVar', { name: problem.name }) : t('canned.unclosedVar');
  const shortcutError = form.shortcut && !validShortcut(form.shortcut) ? t('canned.shortcutRule') : '';
  const prefix = `canned-${scope}`;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (problem || shortcutError) return;
    setBusy(true);
    setError('');
    try {
      const body = { shortcut: form.shortcut.trim(), title: form.title.trim(), text: form.text };
      if (form.id) await api.updateCannedReply(form.id, body);
      else await api.createCannedReply({ scope, ...body });
      toasts.show({ text: t(form.id ? 'canned.saved' : 'canned.created', { shortcut: body.shortcut.replace(/^\//, '') }), tone: 'success' });
      setForm(empty);
      invalidateCanned();
      load();
    } catch (err) {
      setError(errorText(t, err));
    } finally {
      setBusy(false);
    }
  };

  const remove = async (r: CannedReply) => {
    setConfirm('');
    try {
      await api.deleteCannedReply(r.id);
      toasts.show({ text: t('canned.deleted', { shortcut: r.shortcut }), tone: 'success' });
      if (form.id === r.id) setForm(empty);
      invalidateCanned();
      load();
    } catch (err) {
      setError(errorText(t, err));
    }
  };

  return (
    <div data-testid={`${prefix}-panel`}>
      <ErrorBox text={error} />
      <form onSubmit={submit} className="form-narrow canned-form" aria-label={form.id ? t('canned.editTitle') : t('canned.newTitle')}>
        <Field label={t('canned.shortcut')} hint={t('canned.shortcutHint')} error={shortcutError}>
          {(id, d) => (
            <input
              id={id}
              aria-describedby={d}
              aria-invalid={!!shortcutError}
              value={form.shortcut}
              maxLength={33}
              onChange={(e) => setForm({ ...form, shortcut: e.target.value })}
              required
              autoCapitalize="off"
              spellCheck={false}
              data-testid={`${prefix}-shortcut`}
            />
          )}
        </Field>
        <Field label={t('canned.titleLabel')}>
          {(id, d) => <input id={id} aria-describedby={d} value={form.title} maxLength={100} onChange={(e) => setForm({ ...form, title: e.target.value })} />}
        </Field>
        <Field label={t('canned.text')} hint={t('canned.textHint', { vars: cannedVariables.map((v) => `{{${v}}}`).join(', ') })} error={textError}>
          {(id, d) => (
            <textarea
              id={id}
              aria-describedby={d}
              aria-invalid={!!textError}
              rows={4}
              value={form.text}
              maxLength={4096}
              onChange={(e) => setForm({ ...form, text: e.target.value })}
              required
              data-testid={`${prefix}-text`}
            />
          )}
        </Field>
        <div className="form-actions">
          <button type="submit" className="btn btn-primary" disabled={busy || !form.shortcut.trim() || !form.text.trim() || !!problem || !!shortcutError} data-testid={`${prefix}-save`}>
            {form.id ? t('canned.save') : t('canned.add')}
          </button>
          {form.id && (
            <button type="button" className="btn" onClick={() => setForm(empty)}>
              {t('common.cancel')}
            </button>
          )}
        </div>
      </form>
      {items.length === 0 ? (
        <p className="hint">{scope === 'shared' ? t('canned.emptyShared') : t('canned.emptyPersonal')}</p>
      ) : (
        <ul className="canned-items" aria-label={scope === 'shared' ? t('canned.sharedTitle') : t('canned.personalTitle')}>
          {items.map((r) => (
            <li key={r.id} className="canned-item" data-testid={`${prefix}-row`}>
              <div className="canned-item-head">
                <code className="canned-shortcut">/{r.shortcut}</code>
                {r.title && <strong className="canned-title">{r.title}</strong>}
              </div>
              <p className="canned-preview hint">{preview(r.text, 160)}</p>
              <div className="canned-item-actions">
                <button
                  type="button"
                  className="btn btn-small"
                  onClick={() => setForm({ id: r.id, shortcut: r.shortcut, title: r.title, text: r.text })}
                  aria-label={t('canned.editOne', { shortcut: r.shortcut })}
                >
                  {t('canned.edit')}
                </button>
                {confirm === r.id ? (
                  <span role="group" aria-label={t('canned.delete')}>
                    <button type="button" className="btn btn-small btn-danger" onClick={() => void remove(r)}>
                      {t('canned.deleteYes')}
                    </button>{' '}
                    <button type="button" className="btn btn-small" onClick={() => setConfirm('')}>
                      {t('common.cancel')}
                    </button>
                  </span>
                ) : (
                  <button type="button" className="btn btn-small" onClick={() => setConfirm(r.id)} aria-label={t('canned.deleteOne', { shortcut: r.shortcut })}>
                    {t('canned.delete')}
                  </button>
                )}
              </div>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** CannedRepliesPage is Administration → Canned replies: the shared ones. */
export function CannedRepliesPage() {
  const { t } = useI18n();
  return (
    <div className="page">
      <h1>{t('canned.sharedTitle')}</h1>
      <p className="hint">{t('canned.sharedHint')}</p>
      <section className="card">
        <CannedRepliesPanel scope="shared" />
      </section>
    </div>
  );
}
