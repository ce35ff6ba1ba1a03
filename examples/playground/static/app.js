// The playground's page: the world is the text of the editor, sent whole
// with every request; the server answers with decisions and keeps nothing.
'use strict';

const $ = (id) => document.getElementById(id);
const source = $('source');
const gutter = $('gutter');

// state is what the page shows: the last good answer for the world, the
// selected cell, and the what-if shown over the grid.
const state = {
  worlds: [],
  world: null,     // the /api/world answer for the text
  worldName: 'world',
  selected: null,  // {sender, recipient}
  whatIf: null,    // the /api/whatif answer, while shown
  seq: 0,          // the latest evaluation asked for
};

// api posts a JSON body and returns the JSON answer; a refusal is thrown
// as an Error carrying the answer's error object.
async function api(path, body) {
  const res = await fetch(path, {
    method: body === undefined ? 'GET' : 'POST',
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = await res.json();
  if (!res.ok) {
    const err = new Error(data.error ? data.error.message : res.statusText);
    err.info = data.error || {};
    throw err;
  }
  return data;
}

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else if (k.startsWith('data-')) e.setAttribute(k, v);
    else e[k] = v;
  }
  for (const c of children) e.append(c);
  return e;
}

function status(text) { $('status').textContent = text; }

// ---- The world in the address bar: #w= and the text, base64url of UTF-8.

function encodeWorld(text) {
  const bytes = new TextEncoder().encode(text);
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

function decodeWorld(s) {
  const bin = atob(s.replaceAll('-', '+').replaceAll('_', '/'));
  const bytes = Uint8Array.from(bin, (c) => c.charCodeAt(0));
  return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
}

function worldFromURL() {
  const m = location.hash.match(/^#w=([A-Za-z0-9_-]*)$/);
  if (!m) return null;
  try { return decodeWorld(m[1]); } catch { return null; }
}

function putWorldInURL() {
  history.replaceState(null, '', '#w=' + encodeWorld(source.value));
}

// ---- The editor.

function lines() { return source.value.split('\n'); }

function renderGutter() {
  const n = lines().length;
  const failed = new Set((state.world ? state.world.checks.failures : []).map((f) => f.line));
  const err = state.error && state.error.line;
  gutter.replaceChildren();
  for (let i = 1; i <= n; i++) {
    const cls = i === err ? 'error' : failed.has(i) ? 'fail' : '';
    gutter.append(el('div', { class: cls, 'data-line': String(i), text: String(i) }));
  }
  gutter.scrollTop = source.scrollTop;
  placeMarker();
}

// placeMarker puts the error's message beside its line.
function placeMarker() {
  const m = $('marker');
  const e = state.error;
  if (!e || !e.line) { m.hidden = true; return; }
  const lh = parseFloat(getComputedStyle(source).lineHeight);
  const top = 4 + (e.line - 1) * lh - source.scrollTop;
  m.hidden = top < 0 || top > source.clientHeight - lh;
  m.style.top = top + 'px';
  m.setAttribute('data-line', String(e.line));
  m.textContent = `line ${e.line}: ${e.message}`;
}

function showError(err) {
  state.error = err;
  const box = $('error');
  if (!err) { box.hidden = true; box.textContent = ''; renderGutter(); return; }
  box.hidden = false;
  box.textContent = err.line ? `line ${err.line}${err.column ? ', column ' + err.column : ''}: ${err.message}` : err.message;
  box.setAttribute('data-line', String(err.line || 0));
  box.setAttribute('data-kind', err.kind || '');
  renderGutter();
}

function goToLine(n) {
  const ls = lines();
  let pos = 0;
  for (let i = 0; i < n - 1 && i < ls.length; i++) pos += ls[i].length + 1;
  source.focus();
  source.setSelectionRange(pos, pos + (ls[n - 1] || '').length);
  const lh = parseFloat(getComputedStyle(source).lineHeight);
  source.scrollTop = Math.max(0, (n - 3) * lh);
}

let timer = 0;
function changed() {
  renderGutter();
  clearTimeout(timer);
  timer = setTimeout(evaluate, 250);
}

function setText(text) {
  source.value = text;
  changed();
}

// ---- Evaluating the world.

async function evaluate() {
  const seq = ++state.seq;
  status('…');
  try {
    const w = await api('/api/world', { world: source.value });
    if (seq !== state.seq) return;
    state.world = w;
    state.whatIf = null;
    showError(null);
    putWorldInURL();
    renderAll();
    status(`${w.users.length} users, ${w.policy} rules`);
    if (state.selected) explain(state.selected.sender, state.selected.recipient);
  } catch (err) {
    if (seq !== state.seq) return;
    showError(err.info && err.info.message ? err.info : { message: err.message });
    status('the world has an error');
  }
  document.body.setAttribute('data-seq', String(seq));
}

function renderAll() {
  renderGutter();
  renderChecks();
  renderForm();
  renderGrid();
  renderWhatIfControls();
  renderWhatIfResult();
}

function renderChecks() {
  const c = state.world.checks;
  const box = $('checks');
  box.replaceChildren();
  if (c.passed + c.failed === 0) return;
  box.append(el('p', { class: c.failed ? 'bad' : 'ok', text: `${c.passed} checks passed, ${c.failed} failed` }));
  if (!c.failed) return;
  const ul = el('ul');
  for (const f of c.failures) {
    const li = el('li', { 'data-line': String(f.line), text: `line ${f.line}: ${f.statement}: want ${f.expected}, got ${f.actual}` });
    li.addEventListener('click', () => goToLine(f.line));
    ul.append(li);
  }
  box.append(ul);
}

// ---- The grid.

const viewClass = (v) => (v === 'allowed' || v === 'not_allowed' ? 'view-' + v : 'view-other');
const viewMark = { allowed: '✓', not_allowed: '✗', you_blocked: 'B', age_restricted: 'A', request_limit: 'L', unavailable: 'U' };

function describe(c) {
  const d = c.outcome === 'deny' ? `deny ${c.reason}` : `allow ${c.outcome} ${c.reason}`;
  return `${d}${c.rule ? ' (' + c.rule + ')' : ''}; the sender sees: ${c.view}`;
}

function renderGrid() {
  const w = state.world;
  const grid = $('grid');
  const names = w.users.map((u) => u.name);
  const cells = state.whatIf ? state.whatIf.cells : w.cells;
  const changed = new Map();
  if (state.whatIf) for (const ch of state.whatIf.changed) changed.set(ch.sender + ' ' + ch.recipient, ch);
  const views = $('view-toggle').checked;
  grid.className = views ? 'views' : '';
  grid.setAttribute('data-rows', String(names.length));
  const head = el('tr', {}, el('th', { text: '' }));
  for (const r of names) head.append(el('th', { scope: 'col', 'data-user': r }, el('span', { text: r })));
  const body = el('tbody');
  names.forEach((s, i) => {
    const tr = el('tr', {}, el('th', { scope: 'row', 'data-user': s, text: s }));
    names.forEach((r, j) => {
      const c = cells[i][j];
      const td = el('td', { 'data-sender': s, 'data-recipient': r, 'data-outcome': c.outcome, 'data-reason': c.reason, 'data-view': c.view });
      if (s === r) {
        td.className = 'self';
        td.title = `${s} is the recipient`;
      } else {
        td.className = `${c.outcome} ${viewClass(c.view)}`;
        td.title = `${s} → ${r}: ${describe(c)}`;
        if (views) td.textContent = viewMark[c.view] || '?';
        const ch = changed.get(s + ' ' + r);
        if (ch) {
          td.classList.add('changed');
          td.title = `${s} → ${r}: was ${describe(ch.before)}; now ${describe(ch.after)}`;
        }
        if (state.selected && state.selected.sender === s && state.selected.recipient === r) td.classList.add('selected');
      }
      tr.append(td);
    });
    body.append(tr);
  });
  grid.replaceChildren(el('thead', {}, head), body);
  $('legend-outcome').hidden = views;
  $('legend-view').hidden = !views;
}

$('grid').addEventListener('click', (ev) => {
  const td = ev.target.closest('td');
  if (!td || td.classList.contains('self')) return;
  state.selected = { sender: td.dataset.sender, recipient: td.dataset.recipient };
  for (const e of document.querySelectorAll('#grid td.selected')) e.classList.remove('selected');
  td.classList.add('selected');
  explain(state.selected.sender, state.selected.recipient);
});

$('view-toggle').addEventListener('change', () => { if (state.world) renderGrid(); });

// ---- Explain.

async function explain(sender, recipient) {
  const box = $('explain');
  try {
    const x = await api('/api/explain', { world: source.value, sender, recipient });
    $('explain-pair').textContent = `${sender} → ${recipient}`;
    $('explain-decision').textContent = describe(x.decision);
    $('explain-decision').className = x.decision.outcome;
    const facts = $('explain-facts');
    facts.replaceChildren();
    const fact = (k, v) => facts.append(el('dt', { text: k }), el('dd', { text: v }));
    if (x.mode) fact(`${recipient}'s mode`, x.mode + (x.modeSet ? ' (chosen)' : ' (the default for their age)'));
    fact(`${sender}'s audiences`, x.audiences.length ? x.audiences.join(', ') : 'none (a gate decided first)');
    fact('relations', x.edges || 'none');
    fact('conversation', x.conversation);
    if (x.pendingRequests >= 0) fact(`${sender}'s pending requests`, String(x.pendingRequests));
    const ol = $('explain-steps');
    ol.replaceChildren();
    x.steps.forEach((s, i) => {
      const li = el('li', { 'data-step': s.id },
        el('span', { class: 'id', text: s.id }), el('span', { text: s.rule }));
      if (s.facts) li.append(el('span', { class: 'facts', text: ` [${s.facts}]` }));
      if (s.matched) li.classList.add('matched');
      if (i === x.decidedBy) { li.classList.add('decided'); li.title = 'this step decided'; }
      ol.append(li);
    });
    box.hidden = false;
    box.setAttribute('data-pair', `${sender} ${recipient}`);
  } catch (err) {
    box.hidden = true;
    status(err.message);
  }
}

// ---- What if.

function fillSelect(sel, values, keep) {
  const old = keep ? sel.value : null;
  sel.replaceChildren(...values.map((v) => el('option', { value: v, text: v })));
  if (old && values.includes(old)) sel.value = old;
}

function renderWhatIfControls() {
  const w = state.world;
  fillSelect($('wi-recipient'), w.users.map((u) => u.name), true);
  fillSelect($('wi-mode'), w.modes, true);
  fillSelect($('wi-preset'), w.presets.filter((p) => p !== w.policy), true);
  const kind = $('wi-kind').value;
  document.querySelector('.wi-mode').hidden = kind === 'preset';
  document.querySelector('.wi-preset').hidden = kind !== 'preset';
  document.querySelector('.wi-rollout').hidden = kind !== 'rollout';
}

$('wi-kind').addEventListener('change', () => { if (state.world) renderWhatIfControls(); });

$('wi-apply').addEventListener('click', async () => {
  const q = {
    world: source.value,
    recipient: $('wi-recipient').value,
    kind: $('wi-kind').value,
    mode: $('wi-mode').value,
    preset: $('wi-preset').value,
    percent: Number($('wi-percent').value),
  };
  try {
    state.whatIf = await api('/api/whatif', q);
    state.whatIf.recipient = q.recipient;
    renderGrid();
    renderWhatIfResult();
    status(state.whatIf.description);
  } catch (err) {
    state.whatIf = null;
    renderGrid();
    renderWhatIfResult();
    status('what if: ' + err.message);
    $('wi-result').hidden = false;
    $('wi-summary').textContent = err.message;
    $('wi-summary').removeAttribute('data-changed');
    document.querySelector('#wi-impact tbody').replaceChildren();
    document.querySelector('#wi-preview tbody').replaceChildren();
    $('wi-who').textContent = q.recipient;
  }
});

$('wi-clear').addEventListener('click', () => {
  state.whatIf = null;
  renderGrid();
  renderWhatIfResult();
});

function renderWhatIfResult() {
  const r = state.whatIf;
  $('wi-clear').hidden = !r;
  $('wi-result').hidden = !r;
  if (!r) return;
  const im = r.impact;
  $('wi-summary').textContent = `${r.description}. ${im.changed} of ${im.pairs} decisions change` +
    ` (${im.gained} allowed now, ${im.lost} refused now); the changed cells are outlined.`;
  $('wi-summary').setAttribute('data-changed', String(im.changed));
  const tb = document.querySelector('#wi-impact tbody');
  tb.replaceChildren(...im.rows.map((row) => el('tr', {},
    el('td', { text: row.before }), el('td', { text: row.after }), el('td', { text: String(row.count) }))));
  $('wi-who').textContent = r.recipient;
  const pv = document.querySelector('#wi-preview tbody');
  pv.replaceChildren();
  const after = new Map((r.after ? r.after.modes : []).map((m) => [m.name, m]));
  const count = (m) => (m ? `${m.primary + m.requests} (${m.primary} in chats, ${m.requests} requests)${m.available ? '' : ', not available to them'}` : '—');
  const names = new Set([...(r.before ? r.before.modes : []).map((m) => m.name), ...after.keys()]);
  const before = new Map((r.before ? r.before.modes : []).map((m) => [m.name, m]));
  for (const n of names) {
    const b = before.get(n), a = after.get(n);
    const mark = (p, m) => (p && p.mode === n ? ' ← current' : '');
    const tdA = el('td', { text: count(a) + mark(r.after, a) });
    if (a && b) tdA.className = a.primary + a.requests > b.primary + b.requests ? 'gain' : a.primary + a.requests < b.primary + b.requests ? 'loss' : '';
    pv.append(el('tr', {}, el('td', { text: n }), el('td', { text: count(b) + mark(r.before, b) }), tdA));
  }
}

// ---- The form: it edits the text, which stays the world's only source.

function tokens(line) {
  const [code, ...comment] = line.split('#');
  return { toks: code.trim().split(/[ \t]+/).filter(Boolean), comment: comment.length ? ' #' + comment.join('#') : '' };
}

function keyOf(toks, key) {
  const t = toks.find((x) => x.startsWith(key + '='));
  return t ? t.slice(key.length + 1) : '';
}

function setKey(toks, key, value, drop = []) {
  const out = toks.filter((x) => !x.startsWith(key + '=') && !drop.some((d) => x.startsWith(d + '=')));
  if (value !== '') out.push(`${key}=${value}`);
  return out;
}

function editLine(n, f) {
  const ls = lines();
  const { toks, comment } = tokens(ls[n - 1]);
  ls[n - 1] = f(toks).join(' ') + comment;
  setText(ls.join('\n'));
}

function renderForm() {
  const w = state.world;
  fillSelect($('form-policy'), w.presets, false);
  $('form-policy').value = w.policy;
  $('form-now').textContent = w.now.replace('T00:00:00Z', '');
  fillSelect($('new-mode'), ['default', ...w.modes], true);
  const names = w.users.map((u) => u.name);
  fillSelect($('rel-a'), names, true);
  fillSelect($('rel-b'), names, true);
  if ($('rel-b').value === $('rel-a').value && names.length > 1) $('rel-b').value = names[1];
  const tb = document.querySelector('#users tbody');
  tb.replaceChildren();
  const ls = lines();
  for (const u of w.users) {
    const { toks } = tokens(ls[u.line - 1] || '');
    const age = el('input', { type: 'number', min: 0, max: 150, value: keyOf(toks, 'age') || (keyOf(toks, 'birth') ? '' : '18'), title: 'age on the user line' });
    age.setAttribute('aria-label', `${u.name}'s age`);
    age.addEventListener('change', () => editLine(u.line, (t) => setKey(t, 'age', age.value, ['birth'])));
    const mode = el('select', {}, ...['default', ...w.modes].map((m) => el('option', { value: m, text: m })));
    mode.value = keyOf(toks, 'mode') || 'default';
    mode.setAttribute('aria-label', `${u.name}'s mode`);
    mode.addEventListener('change', () => editLine(u.line, (t) => setKey(t, 'mode', mode.value === 'default' ? '' : mode.value)));
    const st = el('select', {}, ...['active', 'deactivated', 'suspended', 'deleted'].map((s) => el('option', { value: s, text: s })));
    st.value = keyOf(toks, 'status') || 'active';
    st.setAttribute('aria-label', `${u.name}'s status`);
    st.addEventListener('change', () => editLine(u.line, (t) => setKey(t, 'status', st.value === 'active' ? '' : st.value)));
    tb.append(el('tr', { 'data-user': u.name },
      el('td', { text: u.name }), el('td', {}, age), el('td', {}, mode), el('td', {}, st),
      el('td', { text: u.mode + (u.modeSet ? '' : ' (default)') + (u.age < 0 ? '' : ` · ${u.age}`) })));
  }
}

function appendLine(line) {
  const text = source.value;
  setText(text + (text === '' || text.endsWith('\n') ? '' : '\n') + line + '\n');
}

$('add-user').addEventListener('click', () => {
  const name = $('new-name').value.trim().toLowerCase();
  if (!name) return;
  const mode = $('new-mode').value;
  appendLine(`user ${name} age=${$('new-age').value || 18}${mode === 'default' ? '' : ' mode=' + mode}`);
  $('new-name').value = '';
});

$('rel-kind').addEventListener('change', () => { $('rel-state').hidden = $('rel-kind').value !== 'conversation'; });

$('add-rel').addEventListener('click', () => {
  const kind = $('rel-kind').value;
  const line = `${kind} ${$('rel-a').value} ${$('rel-b').value}` + (kind === 'conversation' ? ' ' + $('rel-state').value : '');
  appendLine(line);
});

$('form-policy').addEventListener('change', () => {
  const ls = lines();
  const p = $('form-policy').value;
  const i = ls.findIndex((l) => tokens(l).toks[0] === 'policy');
  if (i >= 0) {
    ls[i] = `policy ${p}` + tokens(ls[i]).comment;
  } else {
    // Before the first statement, after the leading comments.
    let j = 0;
    while (j < ls.length && tokens(ls[j]).toks.length === 0) j++;
    ls.splice(j, 0, `policy ${p}`);
  }
  setText(ls.join('\n'));
});

// ---- Share and download.

$('share').addEventListener('click', async () => {
  putWorldInURL();
  try {
    await navigator.clipboard.writeText(location.href);
    status('link copied');
  } catch {
    status('the link is in the address bar');
  }
});

$('download').addEventListener('click', () => {
  const blob = new Blob([source.value], { type: 'text/plain' });
  const a = el('a', { href: URL.createObjectURL(blob), download: state.worldName + '.dm' });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
});

// ---- Starting worlds.

$('worlds').addEventListener('change', () => {
  const w = state.worlds.find((x) => x.id === $('worlds').value);
  if (!w) return;
  state.worldName = w.id;
  state.selected = null;
  $('explain').hidden = true;
  setText(w.text);
});

source.addEventListener('input', changed);
source.addEventListener('scroll', () => { gutter.scrollTop = source.scrollTop; placeMarker(); });
source.addEventListener('keydown', (ev) => {
  if (ev.key === 'Tab') { // a tab separates tokens; keep focus in the editor
    ev.preventDefault();
    source.setRangeText('\t', source.selectionStart, source.selectionEnd, 'end');
    changed();
  }
});

async function start() {
  state.worlds = await api('/api/worlds');
  const sel = $('worlds');
  const fromURL = worldFromURL();
  if (fromURL !== null) sel.append(el('option', { value: '', text: 'the shared link' }));
  for (const w of state.worlds) sel.append(el('option', { value: w.id, text: w.title }));
  if (fromURL !== null) {
    setText(fromURL);
  } else {
    state.worldName = state.worlds[0].id;
    setText(state.worlds[0].text);
  }
  document.body.setAttribute('data-ready', 'true');
}

start().catch((err) => status('cannot start: ' + err.message));
