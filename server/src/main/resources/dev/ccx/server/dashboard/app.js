// SPDX-License-Identifier: Apache-2.0
// The ccx dashboard: a client of the same WebSocket JSON-RPC protocol as every other (docs/protocol.md).
// Everything a process wrote is shown with textContent, never parsed as HTML. No framework, no build step.
'use strict';

(() => {
  const MAX_LINES = 20000;          // output lines kept in the DOM; the oldest go first
  const CHUNK = 500;                // output lines per block in the DOM
  const MAX_LINE_CHARS = 100000;    // a line longer than this (sent in chunks) is shown cut
  const CALL_TIMEOUT_MS = 15000;
  // A flood: more live lines than anyone can read (FLOOD_LINES within FLOOD_WINDOW_MS). The page then drops its
  // connection (a detach would still deliver the megabytes already in flight, each parsed and thrown away) and
  // reconnects at once. From then on, every SAMPLE_EVERY_MS, it attaches from the newest SAMPLE_LINES, shows them,
  // and drops the connection again. A process printing a million lines a second costs the browser, and the server,
  // little (docs/dashboard.md).
  const FLOOD_LINES = 200;
  const FLOOD_WINDOW_MS = 100;
  const SAMPLE_LINES = 200;
  const SAMPLE_EVERY_MS = 2000;
  const SAMPLE_WAIT_MS = 500;       // a sample that has not filled by then ends anyway
  const TOKEN_KEY = 'ccx.token';    // sessionStorage only: the tab forgets it when it closes

  const $ = (id) => document.getElementById(id);
  const SVG = 'http://www.w3.org/2000/svg';

  const state = {
    ws: null,
    nextId: 1,
    pending: new Map(),             // request id -> {resolve, reject, timer}
    connected: false,               // `connected` received on the current socket
    token: null,
    backoff: 1000,
    retryTimer: null,
    retryAt: 0,
    executions: [],
    rows: new Map(),                // execution id -> row element
    selected: null,                 // execution id shown in the output pane
    selectGen: 0,                   // bumps on every selection, so late answers about an old one are dropped
    attached: false,                // whether this connection follows `selected`
    lastSeq: 0,                     // seq of the last notification shown for `selected`
    selStatus: null,                // running | paused | completed
    selInfo: null,
    partial: {stdout: null, stderr: null},
    queue: [],                      // lines waiting for the next animation frame
    flushScheduled: false,
    stick: true,                    // follow the end of the output (the user has not scrolled up)
    lineCount: 0,
    dropped: 0,
    listCall: null,                 // the executions poll under way
    sawCompleted: false,            // the selected execution's process.completed is shown: nothing more will come
    liveFrom: Infinity,             // seq from which notifications are live, not replayed (the attach's next_seq)
    windowStart: 0,                 // flood detection: when the current window began, and live lines in it
    windowLines: 0,
    sampling: false,                // in a flood: detached, sampling the tail once a second
    sampleTimer: null,
    sampleLeft: 0,                  // lines the current sample still takes
    skipped: 0,                     // notifications skipped while sampling
    statsKey: null,
  };

  // ---- connection -------------------------------------------------------------------------------------------

  function wsUrl() {
    const scheme = location.protocol === 'https:' ? 'wss://' : 'ws://';
    return scheme + location.host + '/ws/mcp' + (state.token ? '?token=' + encodeURIComponent(state.token) : '');
  }

  function connect() {
    clearTimeout(state.retryTimer);
    state.retryTimer = null;
    $('retry').hidden = true;
    if (!state.sampling) { // a sample's new connection is not news
      setConn('connecting', 'connecting…');
    }
    let opened = false;
    let ws;
    try {
      ws = new WebSocket(wsUrl());
    } catch (e) {
      showMessage('Cannot open a WebSocket: ' + e.message);
      return;
    }
    state.ws = ws;
    ws.onopen = () => {
      opened = true;
    };
    ws.onmessage = (event) => {
      let msg;
      try {
        msg = JSON.parse(event.data);
      } catch (e) {
        return;
      }
      onMessage(msg);
    };
    ws.onclose = () => {
      if (state.ws !== ws) {
        return;
      }
      const wasConnected = state.connected;
      forgetSocket();
      if (!opened) {
        diagnose();
      } else {
        if (wasConnected) {
          state.backoff = 1000;
        }
        scheduleRetry('connection lost');
      }
    };
  }

  /** The current socket is gone (or dropped on purpose): nothing more is expected on it. */
  function forgetSocket() {
    state.ws = null;
    state.connected = false;
    state.attached = false;
    for (const [, p] of state.pending) {
      clearTimeout(p.timer);
      p.reject({code: 'closed', message: 'connection closed'});
    }
    state.pending.clear();
  }

  /** Drops the connection with whatever is in flight on it unread, and opens a new one at once. */
  function restartSocket() {
    const ws = state.ws;
    if (ws) {
      ws.onmessage = null; // from now on, nothing that arrives on it is even parsed
      ws.onclose = null;
      forgetSocket();
      ws.close(1000, 'The dashboard samples a flood');
    }
    connect();
  }

  // The socket closed before it opened. A browser is not told why, so ask the server with a plain request that
  // carries the same token: 401 means a token is needed or this one is wrong.
  async function diagnose() {
    let status = 0;
    try {
      const headers = state.token ? {Authorization: 'Bearer ' + state.token} : {};
      const response = await fetch('/metrics', {method: 'HEAD', headers, cache: 'no-store'});
      status = response.status;
    } catch (e) {
      status = 0;
    }
    if (status === 401) {
      const given = state.token;
      state.token = null;
      try {
        sessionStorage.removeItem(TOKEN_KEY);
      } catch (e) { /* storage may be off */ }
      askToken(given ? 'The server refused this token.' : '');
      return;
    }
    if ((status >= 200 && status < 300) || status === 403) {
      // The server answers, and takes the token: it refused the upgrade for this page's origin.
      scheduleRetry('The server refused this page\'s origin (' + location.origin + '); open the dashboard as '
          + 'http://127.0.0.1:PORT/ or http://localhost:PORT/, or start ccx with --token or --allowed-origin');
      return;
    }
    scheduleRetry(status === 0 ? 'Cannot reach the server' : 'Cannot reach the server (HTTP ' + status + ')');
  }

  function scheduleRetry(why) {
    const delay = state.backoff;
    state.backoff = Math.min(state.backoff * 2, 10000);
    state.retryAt = Date.now() + delay;
    setConn('down', why + ' — retrying in ' + Math.round(delay / 1000) + ' s');
    $('retry').hidden = false;
    state.retryTimer = setTimeout(connect, delay);
  }

  function askToken(error) {
    setConn('down', 'a token is needed');
    $('main').hidden = true;
    $('token-form').hidden = false;
    $('token-error').textContent = error;
    $('token-input').value = '';
    $('token-input').focus();
  }

  function onTokenSubmit(event) {
    event.preventDefault();
    const token = $('token-input').value.trim();
    if (!token) {
      $('token-error').textContent = 'Enter the token the server was started with (--token or CCX_TOKEN).';
      return;
    }
    state.token = token;
    state.backoff = 1000;
    $('token-error').textContent = '';
    connect();
  }

  function setConn(kind, text) {
    const el = $('conn');
    el.classList.toggle('up', kind === 'up');
    el.classList.toggle('down', kind === 'down');
    $('conn-text').textContent = text;
  }

  function send(obj) {
    if (state.ws && state.ws.readyState === WebSocket.OPEN) {
      state.ws.send(JSON.stringify(obj));
      return true;
    }
    return false;
  }

  /** A request; resolves with its result, rejects with its error ({code, message, data}). */
  function call(method, params) {
    return new Promise((resolve, reject) => {
      const id = state.nextId++;
      if (!send({jsonrpc: '2.0', id, method, params: params || {}})) {
        reject({code: 'closed', message: 'not connected'});
        return;
      }
      const timer = setTimeout(() => {
        state.pending.delete(id);
        reject({code: 'timeout', message: method + ' got no answer in ' + CALL_TIMEOUT_MS / 1000 + ' s'});
      }, CALL_TIMEOUT_MS);
      state.pending.set(id, {resolve, reject, timer});
    });
  }

  function onMessage(msg) {
    if (msg.id !== undefined && msg.id !== null && (msg.result !== undefined || msg.error !== undefined)) {
      const p = state.pending.get(msg.id);
      if (p) {
        state.pending.delete(msg.id);
        clearTimeout(p.timer);
        if (msg.error) {
          p.reject(msg.error);
        } else {
          p.resolve(msg.result);
        }
      }
      return;
    }
    if (msg.error) { // an error with id null: the session limit, or an unreadable request
      showMessage(msg.error.message || 'The server sent an error');
      return;
    }
    const params = msg.params || {};
    switch (msg.method) {
      case 'connected':
        onConnected(params);
        break;
      case 'ping':
        send({jsonrpc: '2.0', method: 'pong'});
        break;
      default:
        if (typeof msg.method === 'string' && msg.method.startsWith('process.')) {
          onProcessEvent(msg.method, params);
        }
    }
  }

  function onConnected(params) {
    state.connected = true;
    state.backoff = 1000;
    if (state.token) {
      try {
        sessionStorage.setItem(TOKEN_KEY, state.token);
      } catch (e) { /* storage may be off: the token lives in this page only */ }
    }
    $('token-form').hidden = true;
    $('main').hidden = false;
    $('retry').hidden = true;
    setConn('up', 'connected' + (params.version ? ' · ccx ' + params.version : ''));
    const listed = refreshExecutions();
    if (state.sampling) {
      return; // a connection opened for the next sample: the sample timer attaches
    }
    refreshStats();
    refreshUsage();
    if (state.selected) {
      reattach();
    } else {
      const fromHash = idFromHash();
      if (fromHash) {
        // After the list: it tells how long the log is, so a long one is replayed from near its end.
        listed.then(() => select(fromHash));
      }
    }
  }

  // ---- executions list --------------------------------------------------------------------------------------

  /** Polls the list; while a poll is under way, returns that one, so whoever awaits gets a fresh list. */
  function refreshExecutions() {
    if (!state.connected) {
      return Promise.resolve();
    }
    if (!state.listCall) {
      state.listCall = loadExecutions().finally(() => {
        state.listCall = null;
      });
    }
    return state.listCall;
  }

  async function loadExecutions() {
    try {
      const result = await call('executions', {});
      state.executions = Array.isArray(result.executions) ? result.executions : [];
      renderExecutions();
    } catch (e) {
      if (e.code !== 'closed') {
        showMessage('executions: ' + e.message);
      }
    }
  }

  function renderExecutions() {
    const list = $('executions');
    const seen = new Set();
    let running = 0;
    const now = Date.now() / 1000;
    let previous = null;
    for (const e of state.executions) {
      const id = String(e.execution_id);
      seen.add(id);
      let row = state.rows.get(id);
      if (!row) {
        row = makeRow(id);
        state.rows.set(id, row);
      }
      updateRow(row, e, now);
      if (e.status === 'running') {
        running++;
      }
      const wanted = previous ? previous.nextSibling : list.firstChild;
      if (wanted !== row) {
        list.insertBefore(row, wanted);
      }
      previous = row;
    }
    for (const [id, row] of state.rows) {
      if (!seen.has(id)) {
        row.remove();
        state.rows.delete(id);
      }
    }
    const ended = state.executions.length - running;
    $('executions-count').textContent = running + ' running · ' + ended + ' recent';
    $('executions-empty').hidden = state.executions.length > 0;
    if (state.selected) {
      const info = state.executions.find((x) => x.execution_id === state.selected);
      if (info) {
        state.selInfo = info;
        if (info.status !== 'running' && !state.attached) {
          state.selStatus = 'completed';
        }
        renderDetail();
      }
    }
  }

  const rowParts = new WeakMap(); // row -> its cells, so a refresh touches only what changed

  function makeRow(id) {
    const row = document.createElement('div');
    row.className = 'execution';
    row.dataset.id = id;
    row.setAttribute('role', 'option');
    row.tabIndex = 0;
    const cmd = el('div', 'cmd');
    const when = el('div', 'when');
    const facts = el('div', 'facts');
    const reason = el('span', 'reason');
    const code = el('span', 'tag code');
    const pid = el('span', 'tag pid');
    const keep = el('span', 'tag keep');
    const dur = el('div', 'dur');
    facts.append(reason, code, pid, keep);
    row.append(cmd, when, facts, dur);
    rowParts.set(row, {cmd, when, reason, code, pid, keep, dur});
    row.addEventListener('click', () => select(id));
    row.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' || event.key === ' ') {
        event.preventDefault();
        select(id);
      } else if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
        event.preventDefault();
        const next = event.key === 'ArrowDown' ? row.nextElementSibling : row.previousElementSibling;
        if (next) {
          next.focus();
        }
      }
    });
    return row;
  }

  function updateRow(row, e, now) {
    const f = rowParts.get(row);
    const running = e.status === 'running';
    setText(f.cmd, e.command);
    f.cmd.title = e.command || '';
    const reason = running ? 'running' : String(e.reason || e.status || '');
    const reasonEl = f.reason;
    setText(reasonEl, reason);
    reasonEl.className = 'reason r-' + reason.replace(/[^a-z_]/g, '') +
        (!running && e.exit_code !== 0 ? ' failed' : '');
    setText(f.code, running || e.exit_code === null || e.exit_code === undefined ? '' :
        (e.reason === 'exit' ? 'exit ' : 'code ') + e.exit_code);
    setText(f.pid, e.pid ? 'pid ' + e.pid : '');
    setText(f.keep, e.on_disconnect === 'keep' ? 'kept' : '');
    setText(f.when, fmtTime(e.started_at));
    const end = running ? now : (e.ended_at || now);
    setText(f.dur, fmtDuration(Math.max(0, end - e.started_at)));
    row.classList.toggle('is-running', running);
    row.setAttribute('aria-selected', String(e.execution_id === state.selected));
    row.setAttribute('aria-label', reason + ': ' + e.command);
  }

  // ---- selection and output ---------------------------------------------------------------------------------

  function idFromHash() {
    const id = decodeURIComponent(location.hash.replace(/^#/, ''));
    return /^[0-9A-Za-z_-]{1,64}$/.test(id) ? id : null;
  }

  async function select(id) {
    if (id === state.selected && (state.attached || state.lastSeq > 0)) {
      return;
    }
    const gen = ++state.selectGen;
    const previous = state.selected;
    const wasAttached = state.attached;
    state.selected = id;
    state.attached = false;
    state.selInfo = state.executions.find((x) => x.execution_id === id) || null;
    // From the list: a replay from the middle of a long log may not bring the process.paused of an earlier pause.
    state.selStatus = !state.selInfo ? null : state.selInfo.status !== 'running' ? 'completed'
      : state.selInfo.paused ? 'paused' : 'running';
    history.replaceState(null, '', '#' + encodeURIComponent(id));
    for (const [rid, row] of state.rows) {
      row.setAttribute('aria-selected', String(rid === id));
    }
    clearOutput();
    renderDetail();
    if (previous && previous !== id && wasAttached) {
      try {
        await call('detach', {execution_id: previous});
      } catch (e) { /* it ended, or it is gone: either way it is not followed */ }
      if (gen !== state.selectGen) {
        return;
      }
    }
    // A long log is replayed from near its end: the pane keeps MAX_LINES lines anyway.
    const listed = state.selInfo && typeof state.selInfo.last_seq === 'number' ? state.selInfo.last_seq : 0;
    const from = Math.max(0, listed - MAX_LINES);
    if (from > 0) {
      note('The first ' + fmtCount(from) + ' notifications are not shown; the newest ' + fmtCount(MAX_LINES)
          + ' follow.');
      state.lastSeq = from;
    }
    await attach(gen, from);
  }

  /** After a reconnection: follow the selected execution again from the last seq shown, so nothing repeats. */
  function reattach() {
    if (state.sawCompleted) {
      return; // its process.completed is shown: nothing more will come
    }
    const gen = ++state.selectGen;
    attach(gen, state.lastSeq);
  }

  async function attach(gen, fromSeq) {
    const id = state.selected;
    if (!state.connected) {
      return; // onConnected attaches
    }
    try {
      const result = await call('attach', {execution_id: id, from_seq: fromSeq});
      if (gen !== state.selectGen) {
        call('detach', {execution_id: id}).catch(() => {});
        return;
      }
      state.attached = true;
      state.liveFrom = typeof result.next_seq === 'number' ? result.next_seq : 0;
      state.windowStart = 0;
      state.windowLines = 0;
      if (result.oldest_seq > fromSeq + 1 && fromSeq > 0) {
        note('Output from seq ' + (fromSeq + 1) + ' to ' + (result.oldest_seq - 1) + ' is no longer kept.');
      }
      state.selInfo = Object.assign({}, state.selInfo || {}, {
        command: result.command, pid: result.pid, execution_id: id,
      });
      if (result.status === 'completed') {
        state.selStatus = 'completed';
      } else if (fromSeq === 0 || !state.selStatus || state.selStatus === 'completed') {
        state.selStatus = 'running'; // the replay brings any process.paused
      }
      renderDetail();
    } catch (e) {
      if (gen !== state.selectGen) {
        return;
      }
      if (e.code === -32008 && e.data && typeof e.data.oldest_seq === 'number') {
        const from = Math.max(0, e.data.oldest_seq - 1);
        note('Earlier output is no longer kept: shown from seq ' + e.data.oldest_seq + ' on.');
        if (from > fromSeq) {
          await attach(gen, from);
        }
      } else if (e.code === -32006) {
        // Already followed by this connection (a late detach): detach, then follow from where the pane is.
        try {
          await call('detach', {execution_id: id});
        } catch (ignored) { /* nothing to undo */ }
        if (gen === state.selectGen) {
          await attach(gen, state.lastSeq);
        }
      } else if (e.code === -32002) {
        state.selStatus = 'completed';
        note('This execution is no longer kept by the server.');
        renderDetail();
      } else if (e.code !== 'closed') {
        showMessage('attach: ' + e.message);
      }
    }
  }

  function onProcessEvent(method, p) {
    // Only what the current attach delivers: its result comes before its first notification, so anything about
    // the selected execution before that is left over from an earlier attach (its detach was under way).
    if (p.execution_id !== state.selected || !state.attached) {
      return;
    }
    if (typeof p.seq === 'number') {
      if (p.seq <= state.lastSeq) {
        return; // already shown
      }
      state.lastSeq = p.seq;
    }
    switch (method) {
      case 'process.output':
        onOutput(p);
        if (state.sampling) {
          if (--state.sampleLeft <= 0) {
            endSample();
          }
        } else if (p.seq >= state.liveFrom) {
          countLive();
        }
        return;
      case 'process.started': {
        const bits = ['started', 'pid ' + p.pid];
        if (p.task_key) {
          bits.push('task ' + p.task_key);
        }
        if (typeof p.timeout === 'number') {
          bits.push('timeout ' + fmtDuration(p.timeout) + (p.timeout_source ? ' (' + p.timeout_source + ')' : ''));
        }
        if (typeof p.expected_duration === 'number') {
          bits.push('expected ' + fmtDuration(p.expected_duration));
        }
        meta('▶ ' + bits.join(' · '));
        break;
      }
      case 'process.paused':
        state.selStatus = 'paused';
        meta('⏸ paused');
        break;
      case 'process.resumed':
        state.selStatus = 'running';
        meta('▶ resumed');
        break;
      case 'process.canceled':
        meta('■ cancel requested', 'bad');
        break;
      case 'process.error':
        meta('✖ ' + (p.error || p.message || 'supervision error'), 'bad');
        break;
      case 'process.completed': {
        flushPartials();
        state.selStatus = 'completed';
        state.sawCompleted = true;
        state.attached = false; // the server stops following it after this
        const ok = p.status === 'completed';
        const how = p.reason === 'exit' || !p.reason ? 'exit ' + p.exit_code : p.reason + ' (code ' + p.exit_code + ')';
        const took = typeof p.execution_time === 'number' ? ' after ' + fmtDuration(p.execution_time) : '';
        meta((ok ? '✔ ' : '✖ ') + how + took + (p.error ? ' — ' + p.error : ''), ok ? 'good' : 'bad');
        refreshExecutions();
        break;
      }
      default:
        return;
    }
    renderDetail();
  }

  function onOutput(p) {
    const type = p.type === 'stderr' ? 'stderr' : 'stdout';
    let data = typeof p.data === 'string' ? p.data : '';
    const part = state.partial[type];
    if (p.truncated) { // the line goes on in the next message of this type
      const acc = part || {text: '', cut: 0};
      if (acc.text.length < MAX_LINE_CHARS) {
        const room = MAX_LINE_CHARS - acc.text.length;
        acc.text += data.slice(0, room);
        acc.cut += Math.max(0, data.length - room);
      } else {
        acc.cut += data.length;
      }
      state.partial[type] = acc;
      return;
    }
    let cut = 0;
    if (part) {
      const room = Math.max(0, MAX_LINE_CHARS - part.text.length);
      cut = part.cut + Math.max(0, data.length - room);
      data = part.text + data.slice(0, room);
      state.partial[type] = null;
    }
    push(clean(data) + (cut ? ' … [' + cut + ' more characters not shown]' : ''), type === 'stderr' ? 'stderr' : '');
  }

  // ---- floods -------------------------------------------------------------------------------------------------

  function countLive() {
    const now = performance.now();
    if (now - state.windowStart > FLOOD_WINDOW_MS) {
      state.windowStart = now;
      state.windowLines = 0;
    }
    if (++state.windowLines > FLOOD_LINES) {
      startSampling();
    }
  }

  function startSampling() {
    state.sampling = true;
    state.skipped = 0;
    note('Output is arriving faster than anyone can read it: showing its newest lines once a second. Replay it '
        + 'whole with `ccx attach ' + state.selected + '`.');
    endSample();
    state.sampleTimer = setInterval(sample, SAMPLE_EVERY_MS);
  }

  /** Stops following for now: the connection goes, with whatever is in flight on it unread. */
  function endSample() {
    flushPartials();
    restartSocket();
  }

  function stopSampling() {
    state.sampling = false;
    clearInterval(state.sampleTimer);
    state.sampleTimer = null;
  }

  /** Every SAMPLE_EVERY_MS in a flood: the newest lines, or, when the flood is over, following again as usual. */
  async function sample() {
    const gen = state.selectGen;
    if (!state.connected) {
      return; // the new connection is not up yet: next time
    }
    await refreshExecutions();
    if (gen !== state.selectGen || !state.sampling || !state.connected) {
      return;
    }
    const info = state.executions.find((x) => x.execution_id === state.selected);
    if (!info) {
      return;
    }
    const newest = info.last_seq;
    const from = Math.max(state.lastSeq, newest - SAMPLE_LINES);
    if (from > state.lastSeq) {
      state.skipped += from - state.lastSeq;
      meta('… ' + fmtCount(from - state.lastSeq) + ' lines skipped (' + fmtCount(state.skipped) + ' in all)');
      state.lastSeq = from;
    }
    if (info.status !== 'running' || newest - from < SAMPLE_LINES) {
      // Ended (the rest, process.completed included, comes with this attach), or fewer new lines than a sample
      // in a second: the flood is over, follow as usual.
      stopSampling();
      await attach(gen, from);
      return;
    }
    state.sampleLeft = SAMPLE_LINES;
    const ws = state.ws;
    await attach(gen, from);
    setTimeout(() => {
      if (state.ws === ws && state.sampling && gen === state.selectGen) {
        endSample();
      }
    }, SAMPLE_WAIT_MS);
  }

  function flushPartials() {
    for (const type of ['stdout', 'stderr']) {
      const part = state.partial[type];
      if (part) {
        state.partial[type] = null;
        push(clean(part.text), type === 'stderr' ? 'stderr' : '');
      }
    }
  }

  // Terminal colour and cursor sequences make no sense in a web page; the text around them stays.
  // eslint-disable-next-line no-control-regex
  const ANSI = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]/g;

  function clean(text) {
    return text.replace(/\r?\n$/, '').replace(ANSI, '');
  }

  function meta(text, cls) {
    push(text, 'meta' + (cls ? ' ' + cls : ''));
  }

  function push(text, cls) {
    state.queue.push({text, cls});
    if (state.queue.length > 2 * MAX_LINES) { // no frames (a hidden tab): keep the newest, trimming now and then
      const extra = state.queue.length - MAX_LINES;
      state.queue = state.queue.slice(extra);
      state.dropped += extra;
    }
    if (!state.flushScheduled) {
      state.flushScheduled = true;
      requestAnimationFrame(flush);
    }
  }

  // Lines go into blocks of CHUNK lines, so that the oldest leave a block at a time and the browser may skip laying
  // out blocks out of view (content-visibility). The pane holds between MAX_LINES and MAX_LINES + CHUNK lines.
  function flush() {
    state.flushScheduled = false;
    const out = $('output');
    let batch = state.queue;
    state.queue = [];
    if (!batch.length) {
      return;
    }
    if (batch.length > MAX_LINES) {
      state.dropped += batch.length - MAX_LINES;
      batch = batch.slice(batch.length - MAX_LINES);
    }
    let chunk = out.lastElementChild;
    let fill = chunk ? chunk.childElementCount : CHUNK;
    let fragment = document.createDocumentFragment();
    for (const line of batch) {
      if (fill >= CHUNK) {
        if (chunk && fragment.childNodes.length) {
          chunk.appendChild(fragment);
          fragment = document.createDocumentFragment();
        }
        chunk = el('div', 'chunk');
        out.appendChild(chunk);
        fill = 0;
      }
      const div = document.createElement('div');
      div.className = line.cls ? 'line ' + line.cls : 'line';
      div.textContent = line.text; // text, never HTML
      fragment.appendChild(div);
      fill++;
    }
    chunk.appendChild(fragment);
    state.lineCount += batch.length;
    while (out.firstElementChild && state.lineCount - out.firstElementChild.childElementCount >= MAX_LINES) {
      const first = out.firstElementChild;
      state.lineCount -= first.childElementCount;
      state.dropped += first.childElementCount;
      first.remove();
    }
    if (state.stick) {
      out.scrollTop = out.scrollHeight;
    }
    $('output-empty').hidden = true;
    $('follow').hidden = state.stick;
    renderMetaCounts();
  }

  function clearOutput() {
    stopSampling();
    state.sawCompleted = false;
    state.liveFrom = Infinity;
    state.queue = [];
    state.lastSeq = 0;
    state.lineCount = 0;
    state.dropped = 0;
    state.partial = {stdout: null, stderr: null};
    $('output').replaceChildren();
    $('output-note').replaceChildren();
    $('output-note').hidden = true;
    $('output-empty').hidden = false;
    setText($('output-empty'), 'Waiting for output…');
    $('follow').hidden = true;
    state.stick = true;
  }

  /** A note above the output pane (dropped lines, output no longer kept). */
  function note(text) {
    const box = $('output-note');
    const line = document.createElement('div');
    line.textContent = text;
    box.appendChild(line);
    box.hidden = false;
  }

  /** Whether the user is at the end of the output: only then does new output scroll it. */
  function onOutputScroll() {
    const out = $('output');
    state.stick = out.scrollHeight - out.scrollTop - out.clientHeight < 30;
    $('follow').hidden = state.stick;
  }

  function renderDetail() {
    const info = state.selInfo;
    const id = state.selected;
    setText($('sel-command'), id ? (info && info.command) || id : 'No execution selected');
    $('sel-command').title = info && info.command ? info.command : '';
    const box = $('sel-meta');
    box.replaceChildren();
    if (id) {
      const status = state.selStatus || 'running';
      const badge = el('span', status === 'paused' ? 'badge paused' : 'reason r-' +
          (status === 'completed' ? (info && info.reason) || 'exit' : 'running'));
      badge.textContent = status === 'completed' ? (info && info.reason) || 'ended' : status;
      box.append(badge);
      if (info && info.pid) {
        box.append(text('pid ' + info.pid));
      }
      if (info && typeof info.started_at === 'number') {
        box.append(text('started ' + fmtTime(info.started_at)));
      }
      box.append(text('id ' + id.slice(0, 12)));
      box.append(el('span', 'line-count'));
      const dropped = el('span', 'dropped');
      dropped.id = 'output-dropped';
      box.append(dropped);
      renderMetaCounts();
    }
    const running = id && state.selStatus && state.selStatus !== 'completed';
    $('pause').disabled = !(running && state.selStatus === 'running');
    $('resume').disabled = !(running && state.selStatus === 'paused');
    $('cancel').disabled = !running;
  }

  function renderMetaCounts() {
    const lines = document.querySelector('#sel-meta .line-count');
    if (lines) {
      setText(lines, (state.lineCount + state.dropped).toLocaleString() + ' lines');
    }
    const dropped = $('output-dropped');
    if (dropped) {
      setText(dropped, state.dropped ? state.dropped.toLocaleString() + ' oldest dropped from view' : '');
    }
  }

  async function control(type) {
    const id = state.selected;
    if (!id) {
      return;
    }
    if (state.sampling && state.connected) {
      // The server takes controls from connections that follow the execution: follow it again, from near its end.
      stopSampling();
      const info = state.executions.find((x) => x.execution_id === id);
      const from = Math.max(state.lastSeq, info ? info.last_seq - SAMPLE_LINES : 0);
      state.lastSeq = from;
      await attach(++state.selectGen, from);
    }
    try {
      await call('control', {type, execution_id: id});
    } catch (e) {
      showMessage(type.toLowerCase() + ': ' + (e.message || e.code));
    }
    refreshExecutions();
  }

  // ---- health, timing, usage --------------------------------------------------------------------------------

  async function refreshHealth() {
    const box = $('health');
    try {
      const response = await fetch('/health', {cache: 'no-store'});
      if (!response.ok) {
        throw new Error('HTTP ' + response.status);
      }
      const h = await response.json();
      const items = [
        ['', h.status || '?', h.status === 'healthy' ? '' : 'bad'],
        ['sessions ', (h.active_sessions ?? '?') + '/' + (h.max_sessions ?? '?')],
        ['processes ', (h.running_processes ?? '?') + '/' + (h.max_processes ?? '?')],
        ['up ', fmtDuration(h.uptime_seconds || 0)],
        ['store ', (h.timing_store || '?') + (h.timing_degraded ? ' (degraded)' : ''), h.timing_degraded ? 'bad' : ''],
      ];
      if (h.spawner) {
        items.push(['spawner ', h.spawner]);
      }
      box.replaceChildren(...items.map(([label, value, cls]) => {
        const span = el('span', cls || '');
        span.append(label);
        const b = document.createElement('b');
        b.textContent = value;
        span.append(b);
        return span;
      }));
    } catch (e) {
      const span = el('span', 'bad');
      span.textContent = 'health: unreachable';
      box.replaceChildren(span);
    }
  }

  async function refreshStats() {
    if (!state.connected) {
      return;
    }
    const body = $('stats').tBodies[0];
    try {
      const result = await call('stats', {});
      const tasks = Array.isArray(result.tasks) ? result.tasks : [];
      setText($('stats-store'), (result.store || '') + (result.degraded ? ' (degraded)' : ''));
      // A log scale shared by every task: a 2 s build and a 5 min Claude turn both stay readable.
      const values = tasks.flatMap((t) => [t.p50, t.p95]).filter((v) => typeof v === 'number' && v > 0);
      const scale = {lo: Math.max(0.001, Math.min(...values, 1) / 2), hi: Math.max(...values, 0.002)};
      const rows = tasks.map((t) => statsRow(t, scale));
      if (!rows.length) {
        const tr = document.createElement('tr');
        const td = el('td', 'none');
        td.colSpan = 6;
        td.textContent = 'No runs recorded yet.';
        tr.append(td);
        rows.push(tr);
      }
      body.replaceChildren(...rows);
      if (state.statsKey) {
        refreshHistory();
      }
    } catch (e) {
      if (e.code === 'closed') {
        return;
      }
      const tr = document.createElement('tr');
      const td = el('td', 'none');
      td.colSpan = 6;
      td.textContent = e.code === -32601 ? 'not available (this server has no stats method)' : 'stats: ' + e.message;
      tr.append(td);
      body.replaceChildren(tr);
    }
  }

  function statsRow(t, scale) {
    const key = t.category + ':' + t.name;
    const tr = document.createElement('tr');
    tr.tabIndex = 0;
    tr.dataset.key = key;
    tr.setAttribute('aria-selected', String(key === state.statsKey));
    const cells = [
      [key, ''],
      [String(t.count), 'num'],
      [typeof t.success_rate === 'number' ? Math.round(t.success_rate * 100) + ' %' : '–', 'num'],
      [t.p50 == null ? '–' : fmtDuration(t.p50), 'num'],
      [t.p95 == null ? '–' : fmtDuration(t.p95), 'num'],
    ];
    for (const [value, cls] of cells) {
      const td = el('td', cls);
      td.textContent = value;
      tr.append(td);
    }
    tr.firstChild.title = key;
    const chart = el('td', 'chart-col');
    chart.append(barChart(t.p50, t.p95, scale));
    tr.append(chart);
    const open = () => {
      state.statsKey = key;
      for (const other of tr.parentNode.children) {
        other.setAttribute('aria-selected', String(other === tr));
      }
      refreshHistory();
    };
    tr.addEventListener('click', open);
    tr.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' || event.key === ' ') {
        event.preventDefault();
        open();
      }
    });
    return tr;
  }

  /** A bar to p50 and a whisker on to p95, on a log scale shared by every task. */
  function barChart(p50, p95, scale) {
    const w = 90;
    const h = 12;
    const x = (v) => {
      const f = Math.log(Math.max(v, scale.lo) / scale.lo) / Math.log(scale.hi / scale.lo || 2);
      return Math.max(1.5, Math.min(1, f) * (w - 2));
    };
    const svg = svgEl('svg', {width: w, height: h, viewBox: `0 0 ${w} ${h}`, role: 'img'});
    svg.setAttribute('aria-label', 'p50 ' + (p50 == null ? 'none' : fmtDuration(p50)) +
        ', p95 ' + (p95 == null ? 'none' : fmtDuration(p95)));
    if (p50 != null) {
      const x50 = x(p50);
      svg.append(svgEl('rect', {class: 'bar', x: 0, y: 2, width: x50, height: h - 4, rx: 1}));
      if (p95 != null && p95 > p50) {
        const x95 = Math.max(x50, x(p95));
        svg.append(svgEl('line', {class: 'whisker', x1: x50, y1: h / 2, x2: x95, y2: h / 2}));
        svg.append(svgEl('line', {class: 'whisker', x1: x95, y1: 3, x2: x95, y2: h - 3}));
      }
    }
    return svg;
  }

  async function refreshHistory() {
    const key = state.statsKey;
    const colon = key.indexOf(':');
    try {
      const result = await call('history', {category: key.slice(0, colon), name: key.slice(colon + 1), limit: 50});
      if (key !== state.statsKey) {
        return;
      }
      const runs = (Array.isArray(result.runs) ? result.runs : []).slice().reverse(); // oldest first
      $('history').hidden = false;
      setText($('history-title'), key + ' · ' + runs.length + ' runs');
      $('history-chart').replaceChildren(historyChart(runs));
    } catch (e) {
      if (e.code !== 'closed') {
        $('history').hidden = false;
        setText($('history-title'), key + ': ' + (e.code === -32601 ? 'history not available' : e.message));
        $('history-chart').replaceChildren();
      }
    }
  }

  /** One bar per run, its height the duration; failed runs red; the dashed line is the median. */
  function historyChart(runs) {
    const w = 400;
    const h = 56;
    const svg = svgEl('svg', {viewBox: `0 0 ${w} ${h}`, preserveAspectRatio: 'none', role: 'img'});
    svg.setAttribute('aria-label', 'Durations of the last ' + runs.length + ' runs');
    if (!runs.length) {
      return svg;
    }
    const max = Math.max(0.001, ...runs.map((r) => r.duration || 0));
    const slot = w / Math.max(runs.length, 20);
    runs.forEach((r, i) => {
      const bh = Math.max(1, ((r.duration || 0) / max) * (h - 4));
      const ok = r.reason === 'exit' && r.exit_code === 0;
      const rect = svgEl('rect', {
        class: ok ? 'run-ok' : 'run-bad', x: i * slot + 1, y: h - bh, width: Math.max(1, slot - 2), height: bh,
      });
      const tip = svgEl('title', {});
      tip.textContent = fmtTime(r.timestamp) + ' · ' + fmtDuration(r.duration || 0) + ' · ' +
          (r.reason === 'exit' ? 'exit ' + r.exit_code : r.reason);
      rect.append(tip);
      svg.append(rect);
    });
    const sorted = runs.map((r) => r.duration || 0).sort((a, b) => a - b);
    const median = sorted[Math.floor((sorted.length - 1) / 2)];
    const y = h - Math.max(1, (median / max) * (h - 4));
    svg.append(svgEl('line', {class: 'ref', x1: 0, y1: y, x2: w, y2: y}));
    return svg;
  }

  async function refreshUsage() {
    if (!state.connected) {
      return;
    }
    const box = $('usage');
    try {
      const u = await call('usage', {});
      const head = el('div', '');
      const cost = el('span', 'big');
      cost.textContent = '$' + Number(u.cost_usd || 0).toFixed(4);
      const facts = el('span', 'facts');
      facts.textContent = (u.turns || 0).toLocaleString() + ' turns · ' +
          (u.rate_limit_retries || 0).toLocaleString() + ' rate-limit retries';
      head.append(cost, facts);
      const parts = [head];
      const tokens = Array.isArray(u.tokens) ? u.tokens : [];
      if (tokens.length) {
        const types = ['input', 'output', 'cache_read', 'cache_creation'];
        for (const t of tokens) {
          if (!types.includes(t.type)) {
            types.push(t.type);
          }
        }
        const models = new Map();
        for (const t of tokens) {
          if (!models.has(t.model)) {
            models.set(t.model, {});
          }
          models.get(t.model)[t.type] = (models.get(t.model)[t.type] || 0) + t.count;
        }
        const table = document.createElement('table');
        const hr = document.createElement('tr');
        for (const label of ['tokens', ...types.map((x) => x.replace('_', ' '))]) {
          const th = document.createElement('th');
          th.scope = 'col';
          th.textContent = label;
          hr.append(th);
        }
        table.append(hr);
        for (const [model, counts] of models) {
          const tr = document.createElement('tr');
          const name = document.createElement('td');
          name.textContent = model;
          tr.append(name);
          for (const type of types) {
            const td = document.createElement('td');
            td.textContent = fmtCount(counts[type] || 0);
            td.title = (counts[type] || 0).toLocaleString() + ' ' + type + ' tokens';
            tr.append(td);
          }
          table.append(tr);
        }
        parts.push(table);
      } else {
        const none = el('div', 'muted');
        none.textContent = 'No Claude Code tokens reported yet.';
        parts.push(none);
      }
      box.replaceChildren(...parts);
    } catch (e) {
      if (e.code === 'closed') {
        return;
      }
      const span = el('span', 'muted');
      span.textContent = e.code === -32601 ? 'not available (this server has no usage method)' : 'usage: ' + e.message;
      box.replaceChildren(span);
    }
  }

  // ---- helpers ----------------------------------------------------------------------------------------------

  function el(tag, cls) {
    const e = document.createElement(tag);
    if (cls) {
      e.className = cls;
    }
    return e;
  }

  function text(value) {
    const span = document.createElement('span');
    span.textContent = value;
    return span;
  }

  function svgEl(tag, attrs) {
    const e = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs)) {
      e.setAttribute(k, String(v));
    }
    return e;
  }

  function setText(node, value) {
    const v = value == null ? '' : String(value);
    if (node && node.textContent !== v) {
      node.textContent = v;
    }
  }

  function showMessage(textValue) {
    setText($('message-text'), textValue);
    $('message').hidden = false;
  }

  function fmtDuration(s) {
    if (!(s >= 0)) {
      return '–';
    }
    if (s < 1) {
      return Math.round(s * 1000) + ' ms';
    }
    if (s < 60) {
      return s.toFixed(s < 10 ? 2 : 1) + ' s';
    }
    const m = Math.floor(s / 60);
    if (m < 60) {
      return m + 'm ' + String(Math.floor(s % 60)).padStart(2, '0') + 's';
    }
    const hours = Math.floor(m / 60);
    if (hours < 48) {
      return hours + 'h ' + String(m % 60).padStart(2, '0') + 'm';
    }
    return Math.floor(hours / 24) + 'd ' + (hours % 24) + 'h';
  }

  function fmtTime(epochSeconds) {
    if (typeof epochSeconds !== 'number') {
      return '';
    }
    const d = new Date(epochSeconds * 1000);
    const sameDay = d.toDateString() === new Date().toDateString();
    const time = d.toLocaleTimeString([], {hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false});
    return sameDay ? time : d.toLocaleDateString([], {month: 'short', day: 'numeric'}) + ' ' + time;
  }

  function fmtCount(n) {
    if (n >= 1e6) {
      return (n / 1e6).toFixed(n >= 1e7 ? 1 : 2) + 'M';
    }
    if (n >= 1e4) {
      return (n / 1e3).toFixed(1) + 'k';
    }
    return n.toLocaleString();
  }

  // ---- start ------------------------------------------------------------------------------------------------

  function start() {
    $('token-form').addEventListener('submit', onTokenSubmit);
    $('pause').addEventListener('click', () => control('PAUSE'));
    $('resume').addEventListener('click', () => control('RESUME'));
    $('cancel').addEventListener('click', () => control('CANCEL'));
    $('retry').addEventListener('click', () => {
      state.backoff = 1000;
      connect();
    });
    $('message-close').addEventListener('click', () => {
      $('message').hidden = true;
    });
    $('follow').addEventListener('click', () => {
      const out = $('output');
      state.stick = true;
      out.scrollTop = out.scrollHeight;
      $('follow').hidden = true;
    });
    $('output').addEventListener('scroll', onOutputScroll, {passive: true});
    window.addEventListener('hashchange', () => {
      const id = idFromHash();
      if (id && id !== state.selected) {
        select(id);
      }
    });

    // A token may come once in the address (?token=); it moves to session storage and out of the address bar.
    const url = new URL(location.href);
    const fromUrl = url.searchParams.get('token');
    if (fromUrl) {
      url.searchParams.delete('token');
      history.replaceState(null, '', url.pathname + url.search + url.hash);
    }
    let stored = null;
    try {
      stored = sessionStorage.getItem(TOKEN_KEY);
    } catch (e) { /* storage may be off */ }
    state.token = fromUrl || stored || null;

    connect();
    refreshHealth();
    setInterval(refreshHealth, 5000);
    setInterval(refreshExecutions, 1000);
    setInterval(() => {
      refreshStats();
      refreshUsage();
    }, 10000);
  }

  start();
})();
