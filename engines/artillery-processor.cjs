/**
 * pushbench processor for Artillery 2.0.21 (bundled next to the scripts `pushbench artillery`
 * writes, by engines/artillery-export.ts with esbuild). The bundle is one CommonJS file with no
 * dependency beyond Node itself, so it also runs on Fargate/Lambda. The delivery rules (dedupe,
 * out-of-order, steady vs recovered, gaps, resume point) and the backoff delays are the client
 * core's (clients/core/), the same module the Node clients and the browser page run
 * (docs/clients.md, "One delivery core").
 *
 * Artillery measures request/response, not server push: it neither times pushed messages nor
 * counts unsolicited ones. This file does, from the envelope timestamps (`t`, epoch ms; the
 * generators share the server's clock only on one host — see docs/engines.md):
 *   histograms  pushbench.<protocol>.latency_ms, .recovered_latency_ms, .reconnect_ms, .ping_rtt_ms
 *   counters    pushbench.<protocol>.clients, .delivered, .expected, .duplicates, .out_of_order,
 *               .payload_bytes, .bytes_in, .bytes_out, .requests, .empty, .connects,
 *               .disconnects, .reconnects, .errors.<kind>
 * Settings come from `config.variables.pushbench` (written by pushbench; edit freely).
 * Latency is recorded after ramp-up + warm-up; counting stops at the end of the measured duration.
 * A message is recovered when its seq is at most the lastSeq of the hello that reopened the
 * connection (published before the reconnect), steady otherwise.
 */
'use strict';
const http = require('node:http');
const https = require('node:https');
const { Backoff, DeliveryCore } = require('../clients/core/index.ts');

const tag = Math.random().toString(36).slice(2, 7);
let clientCount = 0;
/** Per worker: when its first virtual user arrived (≈ the start of its ramp-up). */
let workerStartMs = 0;

const now = () => performance.timeOrigin + performance.now();

function count(s, name, n = 1) {
  if (s.events) s.events.emit('counter', `pushbench.${s.cfg.protocol}.${name}`, n);
  else s.early.push([name, n]);
}
function observe(s, name, valueMs) {
  if (s.events) s.events.emit('histogram', `pushbench.${s.cfg.protocol}.${name}`, Math.max(0, valueMs));
}

/** The virtual user's state: created once, on its first step. */
function init(context, events) {
  if (context.pb) {
    if (events && !context.pb.events) {
      // The ws engine's connect function has no event emitter: count what happened before it.
      context.pb.events = events;
      for (const [name, n] of context.pb.early.splice(0)) count(context.pb, name, n);
    }
    return context.pb;
  }
  const cfg = context.vars.pushbench;
  if (!workerStartMs) workerStartMs = now();
  const s = {
    cfg,
    context,
    events,
    id: `art-${tag}-${++clientCount}`,
    base: String(context.vars.target).replace(/\/+$/, ''),
    measureFromMs: workerStartMs + cfg.rampMs + cfg.warmUpMs,
    endMs: workerStartMs + cfg.rampMs + cfg.warmUpMs + cfg.durationMs,
    live: true,
    stats: {
      highWaterSeq: 0,
      lastSeq: 0,
      delivered: 0,
      recovered: 0,
      duplicates: 0,
      outOfOrder: 0,
      gapsLost: 0,
      payloadBytes: 0,
    },
    /** Seqs up to this were counted in `expected`. */
    expectedTo: 0,
    backoff: new Backoff(cfg.backoff),
    detectedAtMs: 0,
    connectedAtMs: 0,
    timers: new Set(),
    meters: new Map(),
    early: [],
  };
  s.core = new DeliveryCore(s.id, s.stats, {
    byteLength: (text) => Buffer.byteLength(text, 'utf8'),
    countError: (kind) => count(s, `errors.${kind.replace(/-/g, '_')}`),
  });
  context.pb = s;
  count(s, 'clients');
  return s;
}

const running = (s) => s.live && now() < s.endMs;

function later(s, ms, fn) {
  const t = setTimeout(
    () => {
      s.timers.delete(t);
      fn();
    },
    Math.max(0, ms),
  );
  s.timers.add(t);
  return t;
}

/** Socket-level bytes, counted as deltas so a reused socket is never counted twice. */
function meter(s, socket) {
  if (!socket) return;
  const last = s.meters.get(socket) || { read: 0, written: 0 };
  const read = socket.bytesRead || last.read;
  const written = socket.bytesWritten || last.written;
  if (read > last.read) count(s, 'bytes_in', read - last.read);
  if (written > last.written) count(s, 'bytes_out', written - last.written);
  s.meters.set(socket, { read, written });
}

/** The hello / first poll answer of a connection: where this client joined or resumes. */
function onOpen(s, info) {
  if (typeof info.lastSeq !== 'number') return count(s, 'errors.bad_hello');
  if (s.core.open(info).resumed) countExpected(s);
  else s.expectedTo = s.core.maxSeq;
}

/** Every seq up to the highest seen (or settled by a gap) was expected: one that never arrives is lost. */
function countExpected(s) {
  const max = s.core.maxSeq;
  // A source restart moves the window back: count again from its new start.
  if (max < s.expectedTo) s.expectedTo = max;
  if (max > s.expectedTo) {
    count(s, 'expected', max - s.expectedTo);
    s.expectedTo = max;
  }
}

function onEnvelope(s, env) {
  if (!s.live) return;
  const t = now();
  if (t > s.endMs) return;
  if (!s.core.subscribed && Number.isSafeInteger(env.seq)) {
    // Artillery's ws engine reads the first frames itself until pbWsAttach runs: when it swallowed
    // the first hello, the client joined just before the first envelope it sees.
    s.core.open({ lastSeq: env.seq - 1 });
    s.expectedTo = s.core.maxSeq;
  }
  const st = s.stats;
  const { outOfOrder, payloadBytes } = st;
  const verdict = s.core.deliver(env, t);
  if (verdict === 'duplicate') return count(s, 'duplicates');
  if (verdict === 'rejected') return;
  countExpected(s);
  if (st.outOfOrder > outOfOrder) count(s, 'out_of_order');
  count(s, 'delivered');
  count(s, 'payload_bytes', st.payloadBytes - payloadBytes);
  if (t < s.measureFromMs) return;
  observe(s, verdict === 'recovered' ? 'recovered_latency_ms' : 'latency_ms', t - env.t);
}

function backoffMs(s) {
  return s.backoff.next();
}

function resumeQuery(s) {
  const since = s.core.resumeSeq();
  return since === undefined ? '' : `&since=${since}`;
}

function connected(s) {
  count(s, 'connects');
  s.connectedAtMs = now();
  if (s.detectedAtMs) {
    count(s, 'reconnects');
    observe(s, 'reconnect_ms', s.connectedAtMs - s.detectedAtMs);
  }
  s.backoff.reset();
}

/** The connection is gone: the first cause is counted (an error is followed by its close). */
function dead(s, kind) {
  if (s.detectedAtMs > s.connectedAtMs) return;
  count(s, `errors.${kind}`);
  s.detectedAtMs = now();
}

/** Loop condition of every flow: true until the end of the measured duration. */
function pbRunning(context, next) {
  return next(running(context.pb));
}

/** Last step: stop counting, close what is open, flush byte counters. */
function pbEnd(context, events, done) {
  const s = init(context, events);
  if (s.live && s.cfg.protocol.endsWith('poll') && s.connectedAtMs) count(s, 'disconnects');
  s.live = false;
  for (const t of s.timers) clearTimeout(t);
  s.timers.clear();
  if (s.close) s.close();
  for (const socket of s.meters.keys()) meter(s, socket);
  return done();
}

// ------------------------------------------------------------------ polling (http engine)

/** Before the first poll and after each: wait for the fixed schedule (short-poll), build the query. */
function pbPollPrepare(context, events, done) {
  const s = init(context, events);
  const t = now();
  let waitMs = 0;
  let query = `client=${s.id}${resumeQuery(s)}`;
  if (s.cfg.protocol === 'short-poll') {
    s.nextPollMs = Math.max(s.nextPollMs || t, t - s.cfg.pollIntervalMs);
    waitMs = Math.min(s.nextPollMs - t, s.endMs - t);
    s.nextPollMs += s.cfg.pollIntervalMs;
  } else if (s.core.subscribed) {
    // Never hold a request past the end: the run stays bounded.
    query += `&wait=${Math.max(0, Math.min(s.cfg.longPollWaitMs, Math.round(s.endMs - t)))}`;
  }
  context.vars.pbQuery = query;
  if (waitMs <= 0) return done();
  later(s, waitMs, done);
}

/** afterResponse of each poll: messages, resume info, bytes. */
function pbPollAnswer(_req, res, context, events, done) {
  const s = init(context, events);
  meter(s, res.socket || res.request?.socket);
  if (!running(s)) return done();
  count(s, 'requests');
  if (res.statusCode !== 200) {
    count(s, `errors.http_${res.statusCode}`);
    return done();
  }
  let answer;
  try {
    answer = typeof res.body === 'string' ? JSON.parse(res.body) : res.body;
  } catch {
    count(s, 'errors.bad_json');
    return done();
  }
  if (!s.connectedAtMs) connected(s);
  if (!s.core.subscribed) onOpen(s, answer);
  else {
    s.core.answer(answer);
    countExpected(s);
  }
  const messages = Array.isArray(answer.messages) ? answer.messages : [];
  if (messages.length === 0) count(s, 'empty');
  for (const env of messages) onEnvelope(s, env);
  if (typeof answer.lastSeq === 'number') s.core.advanceTo(answer.lastSeq, now());
  return done();
}

// ------------------------------------------------------------------ websocket (ws engine)

function wsUrl(s) {
  return `${s.base.replace(/^http/, 'ws')}/ws?client=${s.id}${resumeQuery(s)}`;
}

/** `connect: { function: pbWsConnect }`: the engine opens /ws?client=… itself. */
function pbWsConnect(wsArgs, context, done) {
  const s = init(context);
  wsArgs.target = wsUrl(s);
  return done();
}

/** After the engine's open: take over the socket (listeners, heartbeat state). */
function pbWsAttach(context, events, done) {
  const s = init(context, events);
  s.close = () => {
    if (!s.ws) return;
    meter(s, s.socketOf.get(s.ws));
    s.ws.terminate();
    s.context.ws = s.ws;
  };
  adopt(s, context.ws);
  connected(s);
  return done();
}

function adopt(s, ws) {
  s.ws = ws;
  s.pings = [];
  s.socketOf = s.socketOf || new WeakMap();
  if (ws._socket) s.socketOf.set(ws, ws._socket);
  // The engine's own 'error' listener calls its step callback a second time after open
  // ("Callback was already called") and kills the worker: ours replaces it.
  ws.removeAllListeners('error');
  ws.on('error', (err) => ws === s.ws && dead(s, err.code || 'ws_error'));
  ws.on('open', () => {
    s.socketOf.set(ws, ws._socket);
    if (ws !== s.ws) return;
    s.context.ws = ws;
    connected(s);
  });
  // Every send/wait step of the engine resets ws.onmessage; an 'message' listener survives.
  ws.on('message', (data) => ws === s.ws && onWsFrame(s, String(data)));
  ws.on('close', () => {
    meter(s, s.socketOf.get(ws));
    if (ws !== s.ws) return;
    count(s, 'disconnects');
    if (!running(s)) return;
    dead(s, 'closed');
    clearTimeout(s.pongTimer);
    // Resume on a socket of the engine's own WebSocket class (no dependency of ours); a handshake
    // into a dead network would hang: bounded like a heartbeat.
    const hb = s.cfg.heartbeat;
    const options = { ...s.cfg.wsOptions, handshakeTimeout: hb.intervalMs + hb.timeoutMs };
    later(s, backoffMs(s), () => running(s) && adopt(s, new ws.constructor(wsUrl(s), options)));
  });
}

function onWsFrame(s, text) {
  let msg;
  try {
    msg = JSON.parse(text);
  } catch {
    return count(s, 'errors.bad_json');
  }
  if (msg.type === 'hello') return onOpen(s, msg);
  if (msg.type === 'pong') {
    const i = s.pings.indexOf(msg.t);
    if (i >= 0) s.pings.splice(0, i + 1);
    if (s.pings.length === 0) clearTimeout(s.pongTimer);
    if (s.live) observe(s, 'ping_rtt_ms', now() - msg.t);
    return;
  }
  if (msg.type === 'error') return count(s, 'errors.server');
  if (!('type' in msg)) onEnvelope(s, msg);
}

/** One heartbeat: ping; no pong within heartbeat.timeoutMs → dead → reconnect with resume. */
function pbWsPing(context, events, done) {
  const s = init(context, events);
  const ws = s.ws;
  if (ws?.readyState !== 1) return done();
  const t = now();
  s.pings.push(t);
  ws.send(JSON.stringify({ type: 'ping', t }));
  if (s.pings.length === 1) {
    s.pongTimer = later(s, s.cfg.heartbeat.timeoutMs, () => {
      if (ws !== s.ws) return;
      dead(s, 'heartbeat_timeout');
      // 'terminate' frees the socket now; 'close' waits for a handshake a dead peer never sends.
      if (s.cfg.heartbeat.giveUp === 'close') ws.close();
      else ws.terminate();
    });
  }
  return done();
}

/** Between heartbeats: sleep one interval (less at the end of the run). */
function pbHeartbeatWait(context, events, done) {
  const s = init(context, events);
  later(s, Math.min(s.cfg.heartbeat.intervalMs, s.endMs - now()), done);
}

// ------------------------------------------------------------------ SSE (function step, node:http)

/** Artillery has no SSE engine: one function step holds the whole EventSource-like session. */
function pbSseSession(context, events, done) {
  const s = init(context, events);
  let finished = false;
  s.close = () => {
    if (s.req) s.req.destroy();
    if (!finished) {
      finished = true;
      done();
    }
  };
  later(s, s.endMs - now(), () => pbEnd(context, events, () => undefined));
  openSse(s);
}

function openSse(s) {
  const url = `${s.base}/sse?client=${s.id}${resumeQuery(s)}`;
  const lib = url.startsWith('https:') ? https : http;
  const req = lib.get(url, { agent: false, headers: s.cfg.sseHeaders });
  s.req = req;
  let idle;
  const armIdle = () => {
    clearTimeout(idle);
    idle = later(s, s.cfg.sseIdleMs, () => {
      dead(s, 'idle_timeout');
      req.destroy();
    });
  };
  req.on('socket', (socket) => {
    s.sseSocket = socket;
    armIdle();
  });
  req.on('response', (res) => {
    if (res.statusCode !== 200) {
      dead(s, `http_${res.statusCode}`);
      return req.destroy();
    }
    connected(s);
    res.setEncoding('utf8');
    let buffer = '';
    res.on('data', (chunk) => {
      armIdle();
      buffer += chunk.replace(/\r\n?/g, '\n');
      let end = buffer.indexOf('\n\n');
      while (end >= 0) {
        onSseEvent(s, buffer.slice(0, end));
        buffer = buffer.slice(end + 2);
        end = buffer.indexOf('\n\n');
      }
    });
  });
  req.on('error', (err) => req === s.req && running(s) && dead(s, err.code || 'sse_error'));
  req.on('close', () => {
    clearTimeout(idle);
    meter(s, s.sseSocket);
    if (req !== s.req) return;
    count(s, 'disconnects');
    if (!running(s)) return;
    dead(s, 'closed');
    later(s, backoffMs(s), () => running(s) && openSse(s));
  });
}

function onSseEvent(s, block) {
  let event = 'message';
  const data = [];
  for (const line of block.split('\n')) {
    if (line.startsWith('event:')) event = line.slice(6).trim();
    else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
  }
  if (data.length === 0) return;
  let msg;
  try {
    msg = JSON.parse(data.join('\n'));
  } catch {
    return count(s, 'errors.bad_json');
  }
  if (event === 'hello') onOpen(s, msg);
  else if (event === 'message') onEnvelope(s, msg);
}

module.exports = {
  pbRunning,
  pbEnd,
  pbPollPrepare,
  pbPollAnswer,
  pbWsConnect,
  pbWsAttach,
  pbWsPing,
  pbHeartbeatWait,
  pbSseSession,
};
