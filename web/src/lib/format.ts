import type { Contact, Conversation, MessagePreview } from '../api/types';

const DAY = 24 * 60 * 60 * 1000;

function startOfDay(d: Date): number {
  return new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
}

/** dayDiff is how many calendar days lie between a and b in local time (b - a). */
export function dayDiff(a: Date, b: Date): number {
  return Math.round((startOfDay(b) - startOfDay(a)) / DAY);
}

/** dayKey groups timestamps by local calendar day. */
export function dayKey(iso: string): string {
  const d = new Date(iso);
  return `${d.getFullYear()}-${d.getMonth() + 1}-${d.getDate()}`;
}

export interface RelativeWords {
  today: string;
  yesterday: string;
}

/** listTime is the short time in the conversation list: a time today, "yesterday", a weekday this week, else a date. */
export function listTime(iso: string, locale: string, words: RelativeWords, now = new Date()): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const diff = dayDiff(d, now);
  if (diff <= 0) return new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit' }).format(d);
  if (diff === 1) return words.yesterday;
  if (diff < 7) return new Intl.DateTimeFormat(locale, { weekday: 'short' }).format(d);
  return new Intl.DateTimeFormat(locale, { day: '2-digit', month: '2-digit', year: '2-digit' }).format(d);
}

/** daySeparator labels a day in the message history. */
export function daySeparator(iso: string, locale: string, words: RelativeWords, now = new Date()): string {
  const d = new Date(iso);
  const diff = dayDiff(d, now);
  if (diff === 0) return words.today;
  if (diff === 1) return words.yesterday;
  const sameYear = d.getFullYear() === now.getFullYear();
  return new Intl.DateTimeFormat(locale, {
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    ...(sameYear ? {} : { year: 'numeric' }),
  }).format(d);
}

/** clockTime is hours and minutes, for message bubbles. */
export function clockTime(iso: string, locale: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit' }).format(d);
}

/** dateTime is a full local date and time, for tables and tooltips. */
export function dateTime(iso: string | null | undefined, locale: string): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'medium' }).format(d);
}

/** bytes formats a size with a binary unit in the locale's number format. */
export function bytes(n: number, locale: string): string {
  const units = ['B', 'KB', 'MB', 'GB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  const digits = i === 0 || v >= 100 ? 0 : 1;
  return `${new Intl.NumberFormat(locale, { maximumFractionDigits: digits }).format(v)} ${units[i]}`;
}

/** phone formats a WhatsApp id (digits) for people: "+49 1512 3456789" style grouping is country-specific, so only the plus is added. */
export function phone(waID: string): string {
  const digits = waID.replace(/[^\d]/g, '');
  return digits ? `+${digits}` : waID;
}

/**
 * handle is how a customer is known besides their name: their WhatsApp
 * username (e.g. "@mira.okafor") when they have one, since a customer may
 * share only that, else their phone number.
 */
export function handle(c: Pick<Contact, 'phone' | 'username'> | undefined): string {
  const username = c?.username?.trim();
  if (username) return username.startsWith('@') ? username : `@${username}`;
  return c?.phone ? phone(c.phone) : '';
}

/** displayName is the client's name, or their username or number when WhatsApp gave no name. */
export function displayName(c: Pick<Conversation, 'contact'>): string {
  const name = c.contact?.name?.trim();
  return name ? name : handle(c.contact);
}

/** initials are up to two letters for an avatar. */
export function initials(name: string): string {
  const parts = name.trim().split(/\s+/).filter(Boolean);
  if (parts.length === 0) return '?';
  const first = [...(parts[0] ?? '')][0] ?? '';
  const last = parts.length > 1 ? ([...(parts[parts.length - 1] ?? '')][0] ?? '') : '';
  return (first + last).toUpperCase() || '?';
}

/**
 * hue gives each person a stable avatar colour from their id. Ids made one
 * after another differ only in their last characters; a plain polynomial
 * hash turned those into neighbouring hues (two people with the same
 * initials looked alike), so the id goes through FNV-1a and a final mix
 * that spreads every bit over the whole circle.
 */
export function hue(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    h ^= id.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) % 360;
}

export interface WindowState {
  open: boolean;
  /** Milliseconds until it closes; 0 when closed. */
  remaining: number;
}

/** serviceWindow tells whether free text may be sent: the window is open until window_closes_at; null means the customer never wrote. */
export function serviceWindow(closesAt: string | null | undefined, now = Date.now()): WindowState {
  if (!closesAt) return { open: false, remaining: 0 };
  const t = Date.parse(closesAt);
  if (!Number.isFinite(t) || t <= now) return { open: false, remaining: 0 };
  return { open: true, remaining: t - now };
}

/** remaining formats a duration as "in 5 hours" / "in 12 minutes" with Intl.RelativeTimeFormat. */
export function remaining(ms: number, locale: string): string {
  const rtf = new Intl.RelativeTimeFormat(locale, { numeric: 'always', style: 'short' });
  const minutes = Math.max(1, Math.round(ms / 60000));
  if (minutes < 60) return rtf.format(minutes, 'minute');
  return rtf.format(Math.floor(minutes / 60), 'hour');
}

/** previewIcon names the type icon shown before a last-message preview (see ui/icons.tsx); '' for plain text. */
export function previewIcon(p: Pick<MessagePreview, 'type'> | null | undefined): string {
  switch (p?.type) {
    case 'image':
      return 'camera';
    case 'video':
      return 'video';
    case 'audio':
      return 'mic';
    case 'document':
      return 'file';
    case 'sticker':
      return 'sticker';
    case 'location':
      return 'pin';
    case 'contacts':
      return 'person';
    case 'template':
      return 'list';
    case 'reaction':
      return 'heart';
    case 'interactive':
    case 'button':
      return 'tap';
    case 'order':
      return 'cart';
    case 'unsupported':
      return 'question';
    default:
      return '';
  }
}

/** osmLink opens a coordinate on OpenStreetMap. */
export function osmLink(lat: number, lon: number): string {
  const la = lat.toFixed(6);
  const lo = lon.toFixed(6);
  return `https://www.openstreetmap.org/?mlat=${la}&mlon=${lo}#map=17/${la}/${lo}`;
}

/** coordinates formats latitude and longitude with five decimals in the locale. */
export function coordinates(lat: number, lon: number, locale: string): string {
  const f = new Intl.NumberFormat(locale, { minimumFractionDigits: 5, maximumFractionDigits: 5 });
  return `${f.format(lat)}, ${f.format(lon)}`;
}
