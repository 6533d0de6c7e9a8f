// The client's copy of the server's contact search (internal/seal/blind.go),
// so a live update joins the results of an active search exactly when the
// server would have listed it. Keep the two in step.

const maxPrefixRunes = 20;
const maxNameTokens = 16;
const maxPhoneDigits = 15;
const minPhoneDigits = 4;
const maxQueryTokens = 8;

const folded: Record<string, string> = { ß: 'ss', æ: 'ae', œ: 'oe', ø: 'o', ł: 'l', đ: 'd', ð: 'd', þ: 'th', ı: 'i' };

const mark = /^\p{Mn}$/u;
const wordRune = /^[\p{L}\p{Nd}\p{Mc}]$/u;

function tokenizeWith(s: string, umlautE: boolean): string[] {
  let out = '';
  let prev = '';
  for (const ch of s.normalize('NFKD')) {
    if (mark.test(ch)) {
      // The diacritics split off by NFKD.
      if (umlautE && ch === '\u0308' && (prev === 'a' || prev === 'o' || prev === 'u')) out += 'e';
      continue;
    }
    if (wordRune.test(ch)) {
      const lower = ch.toLowerCase();
      out += folded[lower] ?? lower;
      prev = lower;
    } else {
      out += ' ';
      prev = ch;
    }
  }
  return out.split(/\s+/).filter(Boolean);
}

/** tokenize folds a name or query into words like the server: NFKD, marks dropped, lower case, ß→ss and friends. */
export function tokenize(s: string): string[] {
  return tokenizeWith(s, false);
}

function nameTokens(name: string): string[] {
  const seen = new Set<string>();
  for (const tok of [...tokenizeWith(name, false), ...tokenizeWith(name, true)]) seen.add(tok);
  return [...seen].slice(0, maxNameTokens);
}

function truncateRunes(s: string, n: number): string {
  return Array.from(s).slice(0, n).join('');
}

/** phoneQuery returns a phone-like query's digits (only digits and " +-()/", at least four digits), else null. */
export function phoneQuery(q: string): string | null {
  if (!/^[0-9 +\-()/]*$/.test(q)) return null;
  const d = q.replace(/\D/g, '');
  return d.length >= minPhoneDigits ? d : null;
}

/**
 * matchesSearch reports whether the server's search for q lists a contact
 * with this name and phone: a phone-like query matches digits anywhere in
 * the number (after dropping a leading 00 or 0); any other query needs every
 * word to start a word of the name.
 */
export function matchesSearch(q: string, name: string, phoneNumber: string): boolean {
  const trimmed = q.trim();
  if (!trimmed) return true;
  let digits = phoneQuery(trimmed);
  if (digits !== null) {
    if (digits.startsWith('00')) digits = digits.slice(2);
    else if (digits.startsWith('0')) digits = digits.slice(1);
    if (digits.length < minPhoneDigits || digits.length > maxPhoneDigits) return false;
    return phoneNumber.replace(/\D/g, '').slice(0, maxPhoneDigits).includes(digits);
  }
  const words = [...new Set(tokenize(trimmed).map((w) => truncateRunes(w, maxPrefixRunes)))];
  if (words.length === 0 || tokenize(trimmed).length > maxQueryTokens) return false;
  const have = nameTokens(name);
  return words.every((w) => have.some((n) => n.startsWith(w)));
}
