import { useEffect, useId, useLayoutEffect, useRef, type ReactNode } from 'react';
import { useI18n } from '../i18n';
import { hue, initials } from '../lib/format';
import { Icon } from './icons';

/** Field is a labelled input with an optional hint and error, wired with aria-describedby. */
export function Field(props: {
  label: string;
  hint?: string;
  error?: string;
  children: (id: string, describedBy: string | undefined) => ReactNode;
}) {
  const id = useId();
  const hintId = props.hint ? `${id}-hint` : '';
  const errId = props.error ? `${id}-err` : '';
  const describedBy = [hintId, errId].filter(Boolean).join(' ') || undefined;
  return (
    <div className="field">
      <label htmlFor={id}>{props.label}</label>
      {props.children(id, describedBy)}
      {props.hint && (
        <p className="hint" id={hintId}>
          {props.hint}
        </p>
      )}
      {props.error && (
        <p className="field-error" id={errId}>
          {props.error}
        </p>
      )}
    </div>
  );
}

export function ErrorBox({ text }: { text: string }) {
  if (!text) return null;
  return (
    <p className="error-box" role="alert">
      {text}
    </p>
  );
}

export function Spinner({ label }: { label: string }) {
  return (
    <span className="spinner" role="status" aria-label={label}>
      <span aria-hidden="true" className="spinner-dot" />
    </span>
  );
}

export function Avatar({ id, name, small, off }: { id: string; name: string; small?: boolean; off?: boolean }) {
  const ref = useRef<HTMLSpanElement>(null);
  useEffect(() => {
    // A CSS custom property set through the CSSOM, which the CSP allows.
    ref.current?.style.setProperty('--hue', String(hue(id)));
  }, [id]);
  return (
    <span ref={ref} className={['avatar', small && 'avatar-small', off && 'avatar-off'].filter(Boolean).join(' ')} title={name || undefined} aria-hidden="true">
      {name.trim() ? initials(name) : <Icon name="person" size={small ? 12 : 24} />}
    </span>
  );
}

/** Dialog is a modal dialog on the native <dialog> element: focus trapping, Escape and the backdrop come with it. */
export function Dialog(props: { title: string; onClose: () => void; children: ReactNode; wide?: boolean }) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const { t } = useI18n();
  const onClose = useRef(props.onClose);
  useLayoutEffect(() => {
    onClose.current = props.onClose;
  });
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    // Closing gives the focus back to what opened the dialog.
    const opener = document.activeElement instanceof HTMLElement && document.activeElement !== document.body ? document.activeElement : null;
    if (!d.open) d.showModal();
    const onCancel = (e: Event) => {
      e.preventDefault();
      onClose.current();
    };
    d.addEventListener('cancel', onCancel);
    return () => {
      d.removeEventListener('cancel', onCancel);
      // Only if the focus was in the dialog (or fell to the body with it):
      // never take it back from where the user has moved on to.
      const now = document.activeElement;
      if (opener?.isConnected && (!now || now === document.body || d.contains(now))) opener.focus();
    };
  }, []);
  return (
    <dialog ref={ref} className={props.wide ? 'dialog dialog-wide' : 'dialog'} aria-labelledby={titleId}>
      <div className="dialog-head">
        <h2 id={titleId}>{props.title}</h2>
        <button type="button" className="icon-btn" aria-label={t('common.close')} onClick={props.onClose}>
          <Icon name="close" size={18} />
        </button>
      </div>
      <div className="dialog-body">{props.children}</div>
    </dialog>
  );
}
