// GDPR tools on a conversation's contact: export everything stored about
// them, and erase it. Both need the privacy.manage permission (built in:
// administrators only); the server checks it again on every call.

import type { Permission } from '../api/types';

export type ContactAction = 'export' | 'erase';

/** contactActions lists the contact tools a viewer may use, in menu order; empty hides the menu. */
export function contactActions(can: (p: Permission) => boolean): ContactAction[] {
  return can('privacy.manage') ? ['export', 'erase'] : [];
}

function digits(s: string): string {
  return s.replace(/\D/g, '');
}

/**
 * eraseConfirmed reports whether what was typed is the contact's phone
 * number, however it is written ("+49 151 2345", "0049…" is not the same
 * number and does not count), or, for a customer who shares only a
 * username, that username (with or without "@", any case). The destructive
 * button stays disabled until it is.
 */
export function eraseConfirmed(typed: string, phone: string, username = ''): boolean {
  const want = digits(phone);
  if (want.length > 0) return digits(typed) === want;
  const name = username.trim().replace(/^@/, '').toLowerCase();
  return name.length > 0 && typed.trim().replace(/^@/, '').toLowerCase() === name;
}

/** exportFilename is the name the server gives an export, for when a proxy drops Content-Disposition. */
export function exportFilename(contactId: string): string {
  return `switchboard-contact-${contactId.replace(/[^\w-]/g, '')}.zip`;
}

/**
 * saveFile hands a downloaded file to the browser's download manager
 * through a temporary object URL (allowed by the CSP: it is a download, not
 * a fetch or an embedded resource).
 */
export function saveFile(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.hidden = true;
  document.body.appendChild(a);
  a.click();
  a.remove();
  // The download has started by then; revoking at once can cancel it in some browsers.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
