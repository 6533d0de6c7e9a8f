// Customer-phone page for the WhatsApp emulator. All content is rendered with
// textContent / element properties, never as HTML.
'use strict';

const api = '/emulator/api/';
const $ = (id) => document.getElementById(id);
const state = { replyTo: null, lastJSON: '', messages: [] };

function el(tag, cls, text) {
  const n = document.createElement(tag);
  if (cls) n.className = cls;
  if (text !== undefined && text !== null) n.textContent = text;
  return n;
}

async function call(method, path, body) {
  const opts = { method, headers: {} };
  if (body !== undefined) {
    opts.headers['Content-Type'] = 'application/json';
    opts.body = JSON.stringify(body);
  }
  const res = await fetch(api + path, opts);
  const data = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(data.error || res.statusText);
  return data;
}

function showError(err) { $('error').textContent = err ? String(err.message || err) : ''; }
function waId() { return $('waid').value.replace(/[^0-9]/g, ''); }

async function loadNumbers() {
  const nums = await call('GET', 'numbers');
  const sel = $('number');
  sel.replaceChildren();
  for (const n of nums) {
    const o = el('option', null, '+' + n.display_phone_number + ' (' + n.phone_number_id + ')');
    o.value = n.phone_number_id;
    sel.append(o);
  }
}

async function loadCustomers() {
  const list = await call('GET', 'customers');
  const sel = $('customer-select');
  const keep = sel.value;
  sel.replaceChildren(el('option', null, '— new customer —'));
  sel.firstChild.value = '';
  for (const c of list) {
    const o = el('option', null, c.name + ' (+' + c.wa_id + (c.username_only ? ', ' + c.username + ' only' : '') + ')');
    o.value = c.wa_id;
    o.dataset.name = c.name;
    o.dataset.number = c.phone_number_id;
    sel.append(o);
    if (c.wa_id === waId()) {
      $('window').textContent = (c.window_open
        ? '24-hour window is open: the business may reply freely.'
        : '24-hour window is closed: only templates get through.')
        + (c.blocked ? ' The business blocked this customer: nothing they send is delivered.' : '');
      $('typing').hidden = !c.typing;
    }
  }
  sel.value = keep;
}

function ticks(status) {
  switch (status) {
    case 'sent': return ['✓', ''];
    case 'delivered': return ['✓✓', ''];
    case 'read': return ['✓✓', 'read'];
    case 'failed': return ['✗', 'failed'];
    default: return ['🕓', ''];
  }
}

function describe(m) {
  switch (m.type) {
    case 'text': return m.text;
    case 'template': return m.text || ('Template ' + (m.template && m.template.name));
    case 'interactive': return m.text || '';
    case 'location': return '📍 ' + [m.location.name, m.location.address, m.location.latitude + ', ' + m.location.longitude].filter(Boolean).join(' · ');
    case 'contacts': return '👤 ' + m.contacts.map((c) => c.name.formatted_name).join(', ');
    case 'reaction': return 'Reaction ' + (m.reaction.emoji || '(removed)');
    case 'unsupported': return '(unsupported message)';
    default: return m.caption || m.text || '';
  }
}

function send(payload) {
  showError(null);
  const base = { wa_id: waId(), name: $('name').value.trim(), phone_number_id: $('number').value };
  if ($('usernameonly').checked) base.username_only = true;
  return call('POST', 'customers/send', Object.assign(base, payload)).then(poll).catch(showError);
}

function echo(payload) {
  showError(null);
  const base = { wa_id: waId(), phone_number_id: $('number').value };
  return call('POST', 'customers/echo', Object.assign(base, payload)).then(poll).catch(showError);
}

function renderMessage(m, byId) {
  const li = el('li', 'msg ' + (m.from_business ? 'theirs' : 'mine'));
  if (m.business_app) li.append(el('div', 'kind', 'WhatsApp Business app' + (m.edited ? ' · edited' : '')));
  if (m.revoked) li.append(el('div', 'kind', '🚫 This message was deleted'));
  if (m.context_id && byId[m.context_id]) li.append(el('div', 'quote', describe(byId[m.context_id])));
  if (m.forwarded) li.append(el('div', 'kind', 'Forwarded'));
  if (m.type !== 'text') li.append(el('div', 'kind', m.type === 'template' ? 'template · ' + m.template.name : m.type));
  if (m.media) {
    const url = api + 'phone/' + encodeURIComponent(m.wa_id) + '/media/' + encodeURIComponent(m.id);
    if (m.media.mime_type.startsWith('image/')) {
      const img = el('img');
      img.src = url;
      img.alt = m.caption || m.type;
      li.append(img);
    } else {
      const a = el('a', null, '📄 ' + (m.media.filename || m.media.mime_type) + ' (' + m.media.size + ' bytes)');
      a.href = url;
      a.target = '_blank';
      a.rel = 'noopener noreferrer';
      li.append(a);
    }
  }
  const text = describe(m);
  if (text) li.append(el('div', null, text));
  if (m.interactive && m.interactive.options) {
    const box = el('div', 'actions options');
    for (const o of m.interactive.options) {
      const b = el('button', null, o.title);
      b.type = 'button';
      b.addEventListener('click', () => send({
        type: 'interactive', interactive_type: m.interactive.type === 'list' ? 'list_reply' : 'button_reply',
        reply_to: m.id, text: o.title, reply_id: o.id, description: o.description || '',
      }));
      box.append(b);
    }
    li.append(box);
  }
  if (m.template && m.template.buttons) {
    const box = el('div', 'actions options');
    for (const t of m.template.buttons) {
      const b = el('button', null, t);
      b.type = 'button';
      b.addEventListener('click', () => send({ type: 'button', reply_to: m.id, text: t }));
      box.append(b);
    }
    li.append(box);
  }
  const [mark, cls] = ticks(m.status);
  const meta = el('span', 'meta', new Date(m.timestamp).toLocaleTimeString() + ' ');
  meta.append(el('span', 'ticks ' + cls, mark));
  if (m.error) meta.append(el('span', 'ticks failed', ' ' + m.error.code + ' ' + m.error.title));
  li.append(meta);
  if (m.reaction_emoji) li.append(el('span', 'reaction', m.reaction_emoji));
  if (m.type !== 'reaction') {
    const actions = el('div', 'actions');
    const reply = el('button', null, 'Reply');
    reply.type = 'button';
    reply.addEventListener('click', () => {
      state.replyTo = m.id;
      $('replying-text').textContent = describe(m).slice(0, 80);
      $('replying').hidden = false;
      $('text').focus();
    });
    actions.append(reply);
    if (m.business_app && !m.revoked) {
      const edit = el('button', null, 'Edit');
      edit.type = 'button';
      edit.addEventListener('click', () => {
        const text = window.prompt('New text', m.text || '');
        if (text && text.trim()) echo({ edit: m.id, text });
      });
      const del = el('button', null, 'Delete');
      del.type = 'button';
      del.addEventListener('click', () => echo({ revoke: m.id }));
      actions.append(edit, del);
    }
    if (m.from_business && !m.business_app) {
      for (const e of ['👍', '❤️', '😂']) {
        const b = el('button', null, e);
        b.type = 'button';
        b.title = 'React with ' + e;
        b.addEventListener('click', () => send({ type: 'reaction', react_to: m.id, emoji: e }));
        actions.append(b);
      }
    }
    li.append(actions);
  }
  return li;
}

function render(messages) {
  const chat = $('chat');
  const atBottom = chat.scrollHeight - chat.scrollTop - chat.clientHeight < 40;
  const byId = {};
  for (const m of messages) byId[m.id] = m;
  chat.replaceChildren(...messages.map((m) => renderMessage(m, byId)));
  if (atBottom) chat.scrollTop = chat.scrollHeight;
}

async function poll() {
  const id = waId();
  $('chat-title').textContent = id ? ($('name').value.trim() || 'Customer') + ' · +' + id : 'No chat selected';
  if (!id) return;
  const messages = await call('GET', 'phone/' + encodeURIComponent(id));
  const json = JSON.stringify(messages);
  if (json !== state.lastJSON) {
    state.lastJSON = json;
    state.messages = messages;
    render(messages);
  }
  const unread = messages.some((m) => m.from_business && m.status === 'delivered');
  if (unread && $('autoread').checked && document.visibilityState === 'visible') {
    await call('POST', 'phone/' + encodeURIComponent(id) + '/read');
  }
}

let formFromStats = true;

async function refreshStats() {
  const s = await call('GET', 'stats');
  $('stats').textContent = JSON.stringify(s, null, 2);
  // The form shows what is running until someone edits it.
  const v = s.virtual_customers;
  if (formFromStats && v && v.rate > 0) {
    $('vc-rate').value = String(v.rate);
    $('vc-n').value = String(v.n);
  }
}

// mediaKind picks the message type a customer's file goes as, like the
// WhatsApp app: pictures, videos, audio (OGG as a voice note), stickers
// (WebP), anything else as a document. The limits are Meta's.
function mediaKind(file) {
  const t = (file.type || '').toLowerCase();
  const MB = 1024 * 1024;
  if (t === 'image/webp') return { type: 'sticker', max: 500 * 1024 };
  if (t === 'image/jpeg' || t === 'image/png') return { type: 'image', max: 5 * MB };
  if (t.startsWith('video/')) return { type: 'video', max: 16 * MB };
  if (t === 'audio/ogg') return { type: 'voice', max: 16 * MB };
  if (t.startsWith('audio/')) return { type: 'audio', max: 16 * MB };
  return { type: 'document', max: 100 * MB };
}

function readFileBase64(file) {
  return new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve(String(r.result).split(',', 2)[1] || '');
    r.onerror = () => reject(r.error);
    r.readAsDataURL(file);
  });
}

function clearReply() {
  state.replyTo = null;
  $('replying').hidden = true;
}

function init() {
  $('composer').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const text = $('text').value;
    const file = $('file').files[0];
    if (!waId()) { showError(new Error('Enter a WhatsApp number first.')); return; }
    if (file) {
      const kind = mediaKind(file);
      if (file.size > kind.max) { showError(new Error(kind.type + ' files are limited to ' + Math.round(kind.max / 1024) + ' KB.')); return; }
      const media = await readFileBase64(file);
      await send({
        type: kind.type, media, mime_type: file.type || 'application/octet-stream', filename: file.name,
        text, reply_to: state.replyTo || '',
      });
      $('file').value = '';
      $('file-name').textContent = '';
    } else if (text.trim()) {
      await send({ type: 'text', text, reply_to: state.replyTo || '' });
    } else {
      return;
    }
    $('text').value = '';
    clearReply();
  });
  $('cancel-reply').addEventListener('click', clearReply);
  $('echo-send').addEventListener('click', async () => {
    const text = $('text').value;
    if (!waId()) { showError(new Error('Enter a WhatsApp number first.')); return; }
    if (!text.trim()) { showError(new Error('Type the business reply first.')); return; }
    await echo({ text });
    $('text').value = '';
  });
  $('history-import').addEventListener('click', () => {
    if (!waId()) { showError(new Error('Enter a WhatsApp number first.')); return; }
    showError(null);
    call('POST', 'customers/history', { wa_id: waId(), name: $('name').value.trim(), phone_number_id: $('number').value })
      .then(() => { state.lastJSON = ''; return poll(); }).catch(showError);
  });
  $('file').addEventListener('change', () => {
    const f = $('file').files[0];
    $('file-name').textContent = f ? f.name : '';
  });
  for (const id of ['vc-rate', 'vc-n']) $(id).addEventListener('input', () => { formFromStats = false; });
  $('customer-select').addEventListener('change', (ev) => {
    const o = ev.target.selectedOptions[0];
    if (!o || !o.value) return;
    $('waid').value = o.value;
    $('name').value = o.dataset.name || '';
    if (o.dataset.number) $('number').value = o.dataset.number;
    state.lastJSON = '';
    clearReply();
    poll().catch(showError);
  });
  $('waid').addEventListener('change', () => { state.lastJSON = ''; poll().catch(showError); });
  $('vc-start').addEventListener('click', () => call('POST', 'customers/start', {
    rate: Number($('vc-rate').value), n: Number($('vc-n').value),
  }).then(() => { formFromStats = true; return refreshStats(); }).catch(showError));
  $('vc-stop').addEventListener('click', () => call('POST', 'customers/stop').catch(showError));

  loadNumbers().then(poll).catch(showError);
  loadCustomers().catch(showError);
  refreshStats().catch(() => {});
  setInterval(() => poll().catch(showError), 1000);
  setInterval(() => loadCustomers().catch(() => {}), 3000);
  setInterval(() => refreshStats().catch(() => {}), 3000);
}

document.addEventListener('DOMContentLoaded', init);
