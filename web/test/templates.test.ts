import { describe, expect, it } from 'vitest';
import type { Template } from '../src/api/types';
import {
  buttonLabels,
  fillText,
  missingParameters,
  parameterMap,
  placeholdersIn,
  previewTemplate,
  sendable,
  templatePlaceholders,
} from '../src/lib/templates';

// The emulator's stock templates (internal/emulator/templates.go), as the server syncs them.
const synced = { channel_id: 'ch1', category: 'UTILITY', synced_at: '2026-01-01T00:00:00Z' };
const orderDE: Template = {
  ...synced,
  name: 'order_update',
  language: 'de',
  status: 'APPROVED',
  parameter_format: 'POSITIONAL',
  components: [
    { type: 'BODY', text: 'Hallo {{1}}, Ihre Bestellung {{2}} ist unterwegs.' },
    { type: 'FOOTER', text: 'Antworten Sie STOP, um keine Nachrichten mehr zu erhalten.' },
    { type: 'BUTTONS', buttons: [{ type: 'QUICK_REPLY', text: 'Danke' }, { type: 'QUICK_REPLY', text: 'Rückruf bitte' }] },
  ],
};
const orderEN: Template = {
  ...synced,
  name: 'order_update',
  language: 'en',
  status: 'APPROVED',
  components: [
    { type: 'HEADER', format: 'TEXT', text: 'Order {{1}}' },
    { type: 'BODY', text: 'Hi {{1}}, your order {{2}} is on its way, {{1}}.' },
    { type: 'BUTTONS', buttons: [{ type: 'URL', text: 'Track parcel', url: 'https://shop.example.com/track/{{1}}' }] },
  ],
};
const reminder: Template = {
  ...synced,
  name: 'appointment_reminder',
  language: 'en',
  status: 'APPROVED',
  parameter_format: 'NAMED',
  components: [
    { type: 'HEADER', format: 'TEXT', text: 'Appointment reminder' },
    { type: 'BODY', text: 'Hi {{first_name}}, this is a reminder of your appointment on {{ date }}. Reply to reschedule.' },
  ],
};
const welcome: Template = {
  ...synced,
  name: 'welcome_image',
  language: 'de',
  status: 'APPROVED',
  components: [{ type: 'HEADER', format: 'IMAGE' }, { type: 'BODY', text: 'Willkommen!' }],
};

describe('template placeholders', () => {
  it('finds positional and named placeholders in order, once each', () => {
    expect(placeholdersIn('Hi {{1}}, {{first_name}} {{1}} {{ 2 }}')).toEqual(['1', 'first_name', '2']);
    expect(placeholdersIn('no placeholders {1} {{}}')).toEqual([]);
  });

  it('keys them as the server does: header and body numbered independently, then URL buttons', () => {
    expect(templatePlaceholders(orderEN).map((p) => p.key)).toEqual(['header.1', 'body.1', 'body.2', 'button.0.1']);
    expect(templatePlaceholders(orderDE).map((p) => p.key)).toEqual(['body.1', 'body.2']);
    expect(templatePlaceholders(reminder).map((p) => p.key)).toEqual(['body.first_name', 'body.date']);
    expect(templatePlaceholders(welcome)).toEqual([{ key: 'header', component: 'header', name: 'image', media: true }]);
  });

  it('builds the parameters map and reports missing values', () => {
    const values = { 'body.first_name': ' Clara ', 'body.date': '' };
    expect(missingParameters(reminder, values)).toEqual(['body.date']);
    expect(parameterMap(reminder, { ...values, 'body.date': '12. Mai, 10:30' })).toEqual({
      'body.first_name': 'Clara',
      'body.date': '12. Mai, 10:30',
    });
    // Values for placeholders the template does not have are not sent.
    expect(parameterMap(orderDE, { 'body.1': 'Ada', 'body.2': '#1', 'body.3': 'x' })).toEqual({ 'body.1': 'Ada', 'body.2': '#1' });
  });

  it('previews with values filled in per component and missing ones visible', () => {
    expect(fillText('Hallo {{1}} und {{2}}', 'body', { 'body.1': 'Ada', 'header.2': 'no' })).toBe('Hallo Ada und {{2}}');
    expect(previewTemplate(orderEN, { 'header.1': '#7', 'body.1': 'Ada', 'body.2': '#7' })).toEqual([
      { type: 'HEADER', text: 'Order #7' },
      { type: 'BODY', text: 'Hi Ada, your order #7 is on its way, Ada.' },
    ]);
    expect(buttonLabels(orderDE)).toEqual(['Danke', 'Rückruf bitte']);
  });

  it('offers only approved templates', () => {
    expect(sendable(orderDE)).toBe(true);
    expect(sendable({ ...orderDE, status: 'PAUSED' })).toBe(false);
    expect(sendable({ ...orderDE, status: '' })).toBe(true);
  });
});
