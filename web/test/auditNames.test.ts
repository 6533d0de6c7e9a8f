import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { en } from '../src/i18n/en';
import { translate, type Key } from '../src/i18n';
import { auditActionName, auditTypeName } from '../src/lib/auditNames';

const t = (k: Key) => translate(en, k);

// The Go catalogue (internal/inbox/auditactions.go) is what the server
// lists; every entry must have a human name here.
const catalogue = readFileSync(fileURLToPath(new URL('../../internal/inbox/auditactions.go', import.meta.url)), 'utf8');
const section = (fn: string) => {
  const body = catalogue.slice(catalogue.indexOf(`func ${fn}()`));
  return [...body.slice(0, body.indexOf('}\n')).matchAll(/"([a-z_.]+)"/g)].map((m) => m[1] as string);
};

describe('audit names', () => {
  it('names every action and object type the server lists', () => {
    const actions = section('AuditActions');
    const types = section('AuditObjectTypes');
    expect(actions).toContain('session.login');
    expect(types).toContain('conversation');
    for (const a of actions) expect(auditActionName(t, a), a).not.toBe(a);
    for (const ty of types) expect(auditTypeName(t, ty), ty).not.toBe(ty);
    expect(auditActionName(t, 'session.login')).toBe('Sign in');
  });
  it('shows the technical name of an action it does not know', () => {
    expect(auditActionName(t, 'robot.dance')).toBe('robot.dance');
    expect(auditTypeName(t, 'spaceship')).toBe('spaceship');
    expect(auditActionName(t, 'constructor')).toBe('constructor');
  });
});
