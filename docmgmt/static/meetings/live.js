// Xã Số, the live meeting room's connection: one Socket.IO client shared by the room
// (room.js) and the big screen (screen.js).
//
// The server numbers every change to a meeting (seq) and stores it before it broadcasts
// it. The client starts from the whole state ("join", again after every reconnect),
// applies broadcasts in order and asks for the whole state again ("sync") when it sees
// a gap. Broadcasts that arrive while a join or sync is on its way wait in a buffer.

const ACK_TIMEOUT_MS = 10000;

// --- texts: from the translation catalogue (meetings/room_strings.py) ---------------------------
//
// The page embeds {Vietnamese source: translation} as <script type="application/json"
// id="room-strings">. t("Có mặt %(present)s/%(total)s", {present: 3, total: 7}) looks the
// source up (falls back to it) and fills in the Python-style named placeholders.

let strings = null;

export function t(source, params) {
  if (strings === null) {
    const block = document.getElementById("room-strings");
    try { strings = block ? JSON.parse(block.textContent) : {}; } catch (e) { strings = {}; }
  }
  const text = Object.prototype.hasOwnProperty.call(strings, source) ? strings[source] : source;
  if (!params) { return text; }
  return text.replace(/%\((\w+)\)s/g, function (whole, name) {
    return Object.prototype.hasOwnProperty.call(params, name) ? String(params[name]) : whole;
  });
}

export const STATUS_TEXT = {
  connecting: t("Đang kết nối…"),
  connected: t("Đã kết nối"),
  disconnected: t("Mất kết nối, đang kết nối lại…"),
  syncing: t("Đang đồng bộ"),
  refused: t("Không vào được phòng họp"),
};

// "2025-11-20T08:00:00.123456+00:00" → milliseconds (at most three fractional digits,
// which every browser parses).
export function parseTime(value) {
  if (!value) { return NaN; }
  return Date.parse(String(value).replace(/(\.\d{3})\d+/, "$1"));
}

export function connectRoom(options) {
  const meetingId = options.meetingId;
  const onState = options.onState || function () {};
  const onStatus = options.onStatus || function () {};
  const onError = options.onError || function () {};
  const client = {
    state: null,
    status: "connecting",
    offset: 0, // server clock − this clock, in ms
    socket: null,
    now: function () { return Date.now() + client.offset; },
    call: call,
    get connected() { return client.status === "connected" || client.status === "syncing"; },
  };
  let waiting = false; // a join or sync is on its way: buffer broadcasts
  let buffer = [];

  const socket = window.io(options.namespace, {
    transports: ["websocket"],
    reconnectionDelay: 1000,
    reconnectionDelayMax: 10000,
    randomizationFactor: 0.5,
  });
  client.socket = socket;

  function setStatus(status) {
    if (client.status === status) { return; }
    client.status = status;
    onStatus(status);
  }

  // Emit with an acknowledgement; always resolves, to {ok: false, error} on a timeout.
  function call(name, payload) {
    const body = Object.assign({ meeting_id: meetingId }, payload || {});
    return new Promise(function (resolve) {
      if (!socket.connected) {
        resolve({ ok: false, error: { code: "disconnected", field: null,
          message: t("Mất kết nối với máy chủ, thao tác chưa được gửi. Hãy thử lại khi đã kết nối.") } });
        return;
      }
      socket.timeout(ACK_TIMEOUT_MS).emit(name, body, function (err, ack) {
        if (err || !ack) {
          resolve({ ok: false, error: { code: "timeout", field: null,
            message: t("Máy chủ không trả lời, thao tác có thể chưa được lưu.") } });
          return;
        }
        resolve(ack);
      });
    });
  }

  function takeState(state, kind) {
    const received = Date.now();
    const server = parseTime(state.server_time);
    if (!isNaN(server)) { client.offset = server - received; }
    client.state = state;
    onState(state, { kind: kind, sections: null });
    const pending = buffer.sort(function (a, b) { return a.seq - b.seq; });
    buffer = [];
    pending.forEach(apply);
  }

  function fetchState(name) {
    waiting = true;
    setStatus("syncing");
    return call(name).then(function (ack) {
      waiting = false;
      if (!ack.ok) {
        if (ack.error && ack.error.code === "disconnected") { return; }
        setStatus(name === "join" ? "refused" : "connected");
        onError(ack.error);
        return;
      }
      if (socket.connected) { setStatus("connected"); }
      takeState(ack.state, name);
    });
  }

  function apply(message) {
    const state = client.state;
    if (message.seq <= state.seq) { return; }
    if (message.seq > state.seq + 1) { // a change was missed: start again from the whole state
      buffer.push(message);
      if (!waiting) { fetchState("sync"); }
      return;
    }
    Object.keys(message.data || {}).forEach(function (section) {
      state[section] = message.data[section];
    });
    state.seq = message.seq;
    onState(state, { kind: message.kind, sections: Object.keys(message.data || {}) });
  }

  socket.on("connect", function () { fetchState("join"); });
  socket.on("disconnect", function () {
    waiting = false;
    buffer = [];
    setStatus("disconnected");
  });
  socket.on("connect_error", function () {
    setStatus("disconnected");
    // A refused handshake (signed out) is not retried by the client by itself.
    if (!socket.active) { window.setTimeout(function () { socket.connect(); }, 10000); }
  });
  socket.on("event", function (message) {
    if (!message || message.meeting_id !== meetingId) { return; }
    if (waiting || !client.state) { buffer.push(message); return; }
    apply(message);
  });
  return client;
}

// --- small DOM helpers: text only, never HTML ---------------------------------------------

export function el(tag, attrs, children) {
  const node = document.createElement(tag);
  Object.keys(attrs || {}).forEach(function (key) {
    const value = attrs[key];
    if (value === null || value === undefined || value === false) { return; }
    if (key === "class") { node.className = value; }
    else if (key === "text") { node.textContent = value; }
    else if (key === "on") { Object.keys(value).forEach(function (ev) { node.addEventListener(ev, value[ev]); }); }
    else if (key === "dataset") { Object.assign(node.dataset, value); }
    else if (value === true) { node.setAttribute(key, ""); }
    else { node.setAttribute(key, String(value)); }
  });
  (children || []).forEach(function (child) {
    if (child === null || child === undefined || child === false) { return; }
    node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
  });
  return node;
}

export function icon(name) {
  return el("i", { class: "bi bi-" + name, "aria-hidden": "true" });
}

// Seconds → "12:05" or "-1:30"; hours shown when needed.
export function clock(seconds) {
  const sign = seconds < 0 ? "-" : "";
  let s = Math.abs(Math.trunc(seconds));
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  const pad = function (n) { return String(n).padStart(2, "0"); };
  return sign + (h ? h + ":" + pad(m) : String(m)) + ":" + pad(s);
}

// The remaining seconds of an agenda item's countdown, on the server's clock.
export function remaining(timer, now) {
  if (!timer) { return 0; }
  if (timer.running && timer.ends_at) {
    const ends = parseTime(timer.ends_at);
    if (!isNaN(ends)) { return Math.ceil((ends - now) / 1000); }
  }
  return timer.remaining;
}

export function currentItem(state) {
  const agenda = state && state.agenda;
  if (!agenda || agenda.current_item_id == null) { return null; }
  return agenda.items.find(function (i) { return i.id === agenda.current_item_id; }) || null;
}

export function openVote(state) {
  return (state.votes || []).find(function (v) { return v.status === "open"; }) || null;
}

// What a closed vote decided (the server counts it: meetings/workflow.py vote_outcome).
export function outcomeText(vote) {
  switch (vote && vote.outcome) {
    case "passed": return t("Thông qua");
    case "rejected": return t("Không thông qua");
    case "chosen": return t("Phương án «%(label)s» được quá nửa số thành viên tán thành", { label: vote.outcome_label });
    case "none": return t("Không phương án nào được quá nửa số thành viên");
    default: return "";
  }
}
