import { useEffect, useId, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import { api } from '../api/endpoints';
import type { ContactErasure, Conversation, Permission } from '../api/types';
import { useI18n } from '../i18n';
import { errorText } from '../lib/errors';
import { displayName, handle } from '../lib/format';
import { contactActions, eraseConfirmed, exportFilename, saveFile } from '../lib/privacy';
import { Dialog, ErrorBox } from './common';
import { Icon } from './icons';
import { useToasts } from './Toasts';

/** exportNoticeAfter is how long an export may take before a toast says it is on its way. */
const exportNoticeAfter = 800;

/**
 * ContactMenu is the conversation header's "more" menu with the GDPR tools
 * for the conversation's contact: export everything stored about them, and
 * erase them. It renders nothing for a viewer without privacy.manage.
 */
export function ContactMenu({
  conv,
  can,
  erase,
  setBlocked,
}: {
  conv: Conversation;
  can: (p: Permission) => boolean;
  erase: (contactId: string) => Promise<ContactErasure>;
  setBlocked?: (convId: string, blocked: boolean) => Promise<void>;
}) {
  const { t } = useI18n();
  const toasts = useToasts();
  const [open, setOpen] = useState(false);
  const [erasing, setErasing] = useState(false);
  const [exporting, setExporting] = useState(false);
  const [blocking, setBlocking] = useState(false);
  const [blockBusy, setBlockBusy] = useState(false);
  const wrap = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  const menu = useRef<HTMLDivElement>(null);
  const menuId = useId();
  const items = contactActions(can);
  const contactId = conv.contact?.id ?? '';
  // WhatsApp blocks by phone number: not offered for username-only customers.
  const canBlock = !!setBlocked && can('contacts.block') && !!conv.contact?.phone;
  const blocked = !!conv.contact?.blocked;

  // A click or tap anywhere else closes the menu.
  useEffect(() => {
    if (!open) return;
    const onDown = (e: PointerEvent) => {
      if (!wrap.current?.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener('pointerdown', onDown);
    return () => document.removeEventListener('pointerdown', onDown);
  }, [open]);

  useEffect(() => {
    if (open) menu.current?.querySelector<HTMLButtonElement>('[role=menuitem]:not(:disabled)')?.focus();
  }, [open]);

  if ((items.length === 0 && !canBlock) || !contactId) return null;

  const changeBlock = async (block: boolean) => {
    setBlockBusy(true);
    try {
      await setBlocked?.(conv.id, block);
      toasts.show({ text: block ? t('block.done') : t('block.undone'), tone: 'success' });
      setBlocking(false);
    } catch (err) {
      toasts.show({ text: errorText(t, err), tone: 'error' });
    } finally {
      setBlockBusy(false);
    }
  };

  const close = (refocus: boolean) => {
    setOpen(false);
    if (refocus) button.current?.focus();
  };

  const onMenuKey = (e: KeyboardEvent) => {
    const entries = Array.from(menu.current?.querySelectorAll<HTMLButtonElement>('[role=menuitem]:not(:disabled)') ?? []);
    const i = entries.indexOf(document.activeElement as HTMLButtonElement);
    let next: HTMLButtonElement | undefined;
    switch (e.key) {
      case 'ArrowDown':
        next = entries[(i + 1) % entries.length];
        break;
      case 'ArrowUp':
        next = entries[(i - 1 + entries.length) % entries.length];
        break;
      case 'Home':
        next = entries[0];
        break;
      case 'End':
        next = entries[entries.length - 1];
        break;
      case 'Escape':
        // Handled here, so the inbox's Escape (go to the reply field) does not fire too.
        e.preventDefault();
        close(true);
        return;
      case 'Tab':
        close(false);
        return;
      default:
        return;
    }
    e.preventDefault();
    next?.focus();
  };

  const exportData = async () => {
    close(true);
    setExporting(true);
    const notice = setTimeout(() => toasts.show({ text: t('privacy.exporting') }), exportNoticeAfter);
    try {
      const { blob, filename } = await api.exportContact(contactId);
      const name = filename || exportFilename(contactId);
      saveFile(blob, name);
      toasts.show({ text: t('privacy.exported', { file: name }), tone: 'success' });
    } catch (err) {
      toasts.show({ text: errorText(t, err), tone: 'error' });
    } finally {
      clearTimeout(notice);
      setExporting(false);
    }
  };

  return (
    <div className="menu-wrap" ref={wrap}>
      <button
        ref={button}
        type="button"
        className="icon-btn"
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={menuId}
        aria-label={t('conv.more')}
        title={t('conv.more')}
        onClick={() => setOpen((o) => !o)}
        data-testid="contact-menu-button"
      >
        <Icon name="more" />
      </button>
      <div className="menu" role="menu" id={menuId} aria-label={t('conv.more')} hidden={!open} ref={menu} onKeyDown={onMenuKey}>
        {items.includes('export') && (
          <button type="button" role="menuitem" className="menu-item" disabled={exporting} onClick={() => void exportData()}>
            <Icon name="download" size={18} /> {t('privacy.export')}
          </button>
        )}
        {canBlock && (
          <button
            type="button"
            role="menuitem"
            className="menu-item"
            disabled={blockBusy}
            data-testid={blocked ? 'unblock-contact' : 'block-contact'}
            onClick={() => {
              if (blocked) {
                close(true);
                void changeBlock(false);
              } else {
                close(false);
                setBlocking(true);
              }
            }}
          >
            <Icon name="shield" size={18} /> {blocked ? t('block.unblock') : t('block.block')}
          </button>
        )}
        {items.includes('erase') && (
          <button
            type="button"
            role="menuitem"
            className="menu-item menu-danger"
            onClick={() => {
              close(false);
              setErasing(true);
            }}
          >
            <Icon name="trash" size={18} /> {t('privacy.erase')}
          </button>
        )}
      </div>
      {blocking && (
        <Dialog
          title={t('block.title', { name: displayName(conv) })}
          onClose={() => {
            setBlocking(false);
            button.current?.focus();
          }}
        >
          <p>{t('block.explain')}</p>
          <div className="dialog-actions">
            <button type="button" className="btn" onClick={() => setBlocking(false)}>
              {t('common.cancel')}
            </button>
            <button type="button" className="btn btn-danger-solid" disabled={blockBusy} onClick={() => void changeBlock(true)} data-testid="block-confirm">
              {t('block.block')}
            </button>
          </div>
        </Dialog>
      )}
      {erasing && (
        <EraseContactDialog
          conv={conv}
          onClose={() => {
            setErasing(false);
            button.current?.focus();
          }}
          onErase={() => erase(contactId)}
        />
      )}
    </div>
  );
}

/**
 * EraseContactDialog asks for the contact's phone number before erasing:
 * erasure cannot be undone (the contact's key is destroyed, and restoring an
 * older backup erases them again), so a second click is not enough.
 */
export function EraseContactDialog({
  conv,
  onClose,
  onErase,
}: {
  conv: Conversation;
  onClose: () => void;
  onErase: () => Promise<ContactErasure>;
}) {
  const { t } = useI18n();
  const toasts = useToasts();
  const [typed, setTyped] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const inputId = useId();
  const number = handle(conv.contact);
  const ok = eraseConfirmed(typed, conv.contact?.phone ?? '', conv.contact?.username ?? '');

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!ok || busy) return;
    setBusy(true);
    setError('');
    try {
      const r = await onErase();
      toasts.show({
        text: t('privacy.erased', { conversations: r.conversations, messages: r.messages, files: r.media_files }),
        tone: 'success',
      });
      onClose();
    } catch (err) {
      setError(errorText(t, err));
      setBusy(false);
    }
  };

  return (
    <Dialog title={t('privacy.eraseTitle', { name: displayName(conv) })} onClose={onClose}>
      <form onSubmit={(e) => void submit(e)}>
        <div className="banner banner-error erase-warning" role="note">
          <p>{t('privacy.eraseWarning')}</p>
          <p>{t('privacy.eraseExportFirst')}</p>
        </div>
        <div className="field">
          <label htmlFor={inputId}>
            {conv.contact?.phone
              ? t('privacy.eraseType', { phone: number })
              : t('privacy.eraseTypeUsername', { username: number })}
          </label>
          <input
            id={inputId}
            type="text"
            inputMode="tel"
            autoComplete="off"
            spellCheck={false}
            value={typed}
            onChange={(e) => setTyped(e.target.value)}
            // The dialog's first field: typing can start at once.
            autoFocus
            data-testid={inputId}
          />
        </div>
        <ErrorBox text={error} />
        <div className="dialog-actions">
          <button type="button" className="btn" onClick={onClose}>
            {t('common.cancel')}
          </button>
          <button type="submit" className="btn btn-danger-solid" disabled={!ok || busy}>
            {t('privacy.eraseConfirm')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
