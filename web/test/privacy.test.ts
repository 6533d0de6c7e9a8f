import { createElement, type ReactElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ApiError, download, filenameFromDisposition } from '../src/api/client';
import type { ContactErasure, Permission } from '../src/api/types';
import { dictionaries, I18nProvider, translate, type Key } from '../src/i18n';
import { errorText } from '../src/lib/errors';
import { contactActions, eraseConfirmed, exportFilename } from '../src/lib/privacy';
import { ContactMenu, EraseContactDialog } from '../src/ui/ContactMenu';
import { ToastProvider } from '../src/ui/Toasts';
import { conv } from './fixtures';

const t = (k: Key, v?: Record<string, string | number>) => translate(dictionaries.en, k, v);
const only =
  (...perms: Permission[]) =>
  (p: Permission) =>
    perms.includes(p);

const administrator = only('conversations.read_all', 'conversations.assign', 'users.manage', 'channels.manage', 'privacy.manage');
const operator = only('conversations.read_all', 'conversations.assign', 'conversations.reply', 'conversations.close');
const employee = only('conversations.reply');

describe('contact tools by permission', () => {
  it('offers export and erase only with privacy.manage', () => {
    expect(contactActions(administrator)).toEqual(['export', 'erase']);
    expect(contactActions(only('privacy.manage'))).toEqual(['export', 'erase']);
    expect(contactActions(operator)).toEqual([]);
    expect(contactActions(employee)).toEqual([]);
    expect(contactActions(only())).toEqual([]);
  });
});

describe('erase confirmation', () => {
  const phone = '4915112345001';
  it('accepts the contact’s number however it is written', () => {
    for (const typed of ['4915112345001', '+4915112345001', '+49 151 12345001', ' +49 (151) 123-450-01 ']) {
      expect(eraseConfirmed(typed, phone), typed).toBe(true);
    }
  });
  it('refuses anything else, and a contact without a number', () => {
    for (const typed of ['', '+49', '491511234500', '49151123450011', '004915112345001', 'Greta Kunde', 'yes']) {
      expect(eraseConfirmed(typed, phone), typed).toBe(false);
    }
    expect(eraseConfirmed('', '')).toBe(false);
    expect(eraseConfirmed('x', 'unknown')).toBe(false);
  });
});

describe('export file name', () => {
  it('reads Content-Disposition', () => {
    const cases: [string | null, string][] = [
      ['attachment; filename="switchboard-contact-c0ffee.zip"', 'switchboard-contact-c0ffee.zip'],
      ['attachment; filename=switchboard-contact-c0ffee.zip', 'switchboard-contact-c0ffee.zip'],
      ['attachment;filename="a \\"b\\".zip"', 'a "b".zip'],
      ["attachment; filename=\"fallback.zip\"; filename*=UTF-8''Kontakt%20M%C3%BCller.zip", 'Kontakt Müller.zip'],
      ['attachment; filename="../../etc/passwd"', 'passwd'],
      ['attachment; filename="C:\\\\temp\\\\x.zip"', 'x.zip'],
      ['attachment', ''],
      ['', ''],
      [null, ''],
    ];
    for (const [header, want] of cases) expect(filenameFromDisposition(header), String(header)).toBe(want);
  });
  it('falls back to the server’s own pattern', () => {
    expect(exportFilename('0123abcd')).toBe('switchboard-contact-0123abcd.zip');
    expect(exportFilename('../x')).toBe('switchboard-contact-x.zip');
  });
});

describe('download', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('returns the file and its name', async () => {
    const zip = new Uint8Array([0x50, 0x4b, 0x03, 0x04]);
    const fetch = vi.fn(
      async () =>
        new Response(zip, {
          status: 200,
          headers: { 'Content-Type': 'application/zip', 'Content-Disposition': 'attachment; filename="switchboard-contact-c1.zip"' },
        }),
    );
    vi.stubGlobal('fetch', fetch);
    const got = await download('/api/v1/contacts/c1/export');
    expect(got.filename).toBe('switchboard-contact-c1.zip');
    expect(new Uint8Array(await got.blob.arrayBuffer())).toEqual(zip);
    expect(fetch).toHaveBeenCalledWith('/api/v1/contacts/c1/export', expect.objectContaining({ method: 'GET', credentials: 'same-origin' }));
  });

  it('turns 403 and 404 into errors shown as sentences, not into a downloaded error page', async () => {
    const answer = (status: number, body: string) => vi.stubGlobal('fetch', vi.fn(async () => new Response(body, { status })));
    answer(403, '{"error":{"code":"forbidden","message":"privacy.manage required."}}');
    const forbidden = await download('/api/v1/contacts/c1/export').catch((e: unknown) => e);
    expect(forbidden).toBeInstanceOf(ApiError);
    expect(errorText(t, forbidden)).toBe('You are not allowed to do this.');

    answer(404, '{"error":{"code":"not_found","message":"Contact not found."}}');
    const missing = await download('/api/v1/contacts/nope/export').catch((e: unknown) => e);
    expect(errorText(t, missing)).toBe('Contact not found.');

    vi.stubGlobal('fetch', vi.fn(async () => Promise.reject(new TypeError('offline'))));
    expect(errorText(t, await download('/x').catch((e: unknown) => e))).toBe(t('err.network'));
  });
});

// Rendered to static markup: what a first render shows, without a DOM.
describe('contact menu and erase dialog', () => {
  beforeAll(() => {
    // The language provider reads the browser's languages (Node 20 has no navigator).
    if (typeof navigator === 'undefined') vi.stubGlobal('navigator', { languages: ['en-GB'], language: 'en-GB' });
  });

  const html = (el: ReactElement) =>
    renderToStaticMarkup(createElement(I18nProvider, null, createElement(ToastProvider, { closeLabel: 'Close', children: el })));
  const c = conv('c1', { contact: { id: 'ct1', channel_id: 'ch1', phone: '4915112345001', name: 'Greta Kunde', created_at: '' } });
  const erase = async (): Promise<ContactErasure> => ({ contact_id: 'ct1', conversations: 1, messages: 3, media_files: 1 });

  it('shows the menu with both items to a viewer with privacy.manage', () => {
    const out = html(createElement(ContactMenu, { conv: c, can: administrator, erase }));
    expect(out).toContain('aria-label="More actions"');
    expect(out).toContain('aria-haspopup="menu"');
    expect(out).toContain('Export contact data');
    expect(out).toContain('Erase contact…');
    // Closed until opened.
    expect(out).toMatch(/role="menu"[^>]*hidden=""/);
  });

  it('renders nothing for operators and employees', () => {
    for (const can of [operator, employee]) {
      const out = html(createElement(ContactMenu, { conv: c, can, erase }));
      expect(out).not.toContain('More actions');
      expect(out).not.toContain('Export contact data');
      expect(out).not.toContain('Erase contact');
    }
  });

  it('explains the erasure and keeps its button disabled until the number is typed', () => {
    const out = html(createElement(EraseContactDialog, { conv: c, onClose: () => {}, onErase: erase }));
    expect(out).toContain('Erase Greta Kunde for good');
    expect(out).toContain('This cannot be undone.');
    expect(out).toContain('even when an older backup is restored later');
    expect(out).toContain('To confirm, type the contact’s phone number: +4915112345001');
    expect(out).toMatch(/<button type="submit" class="btn btn-danger-solid" disabled="">Erase for good<\/button>/);
  });
  it('asks for the username of a customer who shares no phone number', () => {
    const mira = conv('c2', {
      contact: { id: 'ct2', channel_id: 'ch1', phone: '', username: '@mira.okafor', user_id: 'US.1349', name: 'Mira Okafor', created_at: '' },
    });
    const out = html(createElement(EraseContactDialog, { conv: mira, onClose: () => {}, onErase: erase }));
    expect(out).toContain('To confirm, type the contact’s WhatsApp username: @mira.okafor');
    expect(out).not.toContain('phone number');
  });
});

describe('erasing a customer who shares only a username', () => {
  it('is confirmed by typing the username, with or without @, in any case', () => {
    for (const typed of ['@mira.okafor', 'mira.okafor', ' Mira.Okafor ']) {
      expect(eraseConfirmed(typed, '', '@mira.okafor'), typed).toBe(true);
    }
    for (const typed of ['', '@', 'mira', '@mira.okafor2']) {
      expect(eraseConfirmed(typed, '', '@mira.okafor'), typed).toBe(false);
    }
    // With a phone number, the number is what counts.
    expect(eraseConfirmed('@mira.okafor', '2348031234567', '@mira.okafor')).toBe(false);
  });
});
