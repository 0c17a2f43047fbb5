// Xã Số, the live meeting room (templates/meetings/room.html): draws the state that
// live.js keeps and sends the room's actions. Every refusal shows the server's message.
// Text goes in with textContent only: nothing from the state is parsed as HTML.

import { STATUS_TEXT, clock, connectRoom, currentItem, el, icon, openVote, outcomeText, remaining, t } from "./live.js";
import { PdfViewer } from "./pdfview.js";

const root = document.querySelector("[data-meeting-room]");
const $ = function (selector) { return root.querySelector(selector); };
const region = function (name) { return root.querySelector('[data-region="' + name + '"]'); };

const meetingId = Number(root.dataset.meetingId);
const viewer = new PdfViewer(root.querySelector('[data-testid="viewer"]'), {
  moduleUrl: root.dataset.pdfjs, workerUrl: root.dataset.pdfjsWorker, dataUrl: root.dataset.pdfjsData, fit: "contain",
});

const ui = {
  follow: true, // follow the presenter's document and page
  local: { fileId: null, page: 1 }, // what this reader browses when not following
  pages: null, // page count of the document on screen
  noteItemId: null, // the agenda item the notes and conclusion panel shows (null: current)
  notes: {}, // item id → text, this user's notes
  noteDirty: false,
  noteTimer: null,
  conclusionItemId: null,
};

const client = connectRoom({
  namespace: root.dataset.namespace,
  meetingId: meetingId,
  onState: function (state, change) {
    if (change.sections === null) { // a whole state: the notes come with it
      Object.keys(state.notes || {}).forEach(function (id) {
        if (!(ui.noteDirty && String(noteItemId()) === id)) { ui.notes[id] = state.notes[id]; }
      });
      if (ui.noteDirty) { saveNote(); } // typed while disconnected
    }
    render();
  },
  onStatus: function (status) { showStatus(status); render(); },
  onError: function (error) { toast(error); },
});

// --- helpers -------------------------------------------------------------------------------

function toast(error, kind) {
  const text = typeof error === "string" ? error : (error && error.message) || t("Thao tác không thành công.");
  const box = el("div", { class: "alert alert-" + (kind || "danger") + " alert-dismissible shadow mb-2",
    role: "alert", "data-testid": "toast" }, [
    text,
    el("button", { type: "button", class: "btn-close", "data-bs-dismiss": "alert", "aria-label": t("Đóng") }),
  ]);
  region("toasts").appendChild(box);
  window.setTimeout(function () { box.remove(); }, 8000);
}

// Sends an action; shows the refusal, resolves to the acknowledgement.
function act(name, payload) {
  return client.call(name, payload).then(function (ack) {
    if (!ack.ok) { toast(ack.error); }
    return ack;
  });
}

function button(label, options) {
  const o = options || {};
  const node = el("button", {
    type: "button", class: "btn " + (o.cls || "btn-outline-primary"), title: o.title,
    "data-testid": o.testid, disabled: !client.connected || o.disabled,
    on: { click: function () { if (o.onClick) { o.onClick(node); } } },
  }, [o.icon ? icon(o.icon) : null, o.icon && label ? " " : null, label]);
  return node;
}

function me() { return (client.state && client.state.me) || {}; }
// What I may do now is the server's answer (meetings/access.py): the state's "may" table
// names, per action, the ids of those who may, or every participant / every voter.
function may(action) {
  const table = (client.state && client.state.may) || {};
  const who = table[action];
  if (who === "participants") { return Boolean(me().participant); }
  if (who === "voters") { return Boolean(me().votes); }
  return Array.isArray(who) && who.indexOf(me().id) >= 0;
}
function itemById(id) {
  return (client.state.agenda.items || []).find(function (i) { return i.id === id; }) || null;
}
function noteItemId() {
  if (ui.noteItemId != null && client.state && itemById(ui.noteItemId)) { return ui.noteItemId; }
  return client.state ? client.state.agenda.current_item_id : null;
}

function showStatus(status) {
  const box = $('[data-testid="connection"]');
  box.dataset.state = status;
  box.replaceChildren(icon(status === "connected" ? "wifi" : status === "syncing" ? "arrow-repeat" : "wifi-off"),
    " " + STATUS_TEXT[status]);
  root.querySelectorAll("[data-live]").forEach(function (node) { node.disabled = !client.connected; });
}

// --- drawing -------------------------------------------------------------------------------

function render() {
  const state = client.state;
  if (!state) { return; }
  renderHeader(state);
  renderCurrent(state);
  renderAgenda(state);
  renderDocuments(state);
  renderVotes(state);
  renderSpeakers(state);
  renderParticipants(state);
  renderNotes(state);
  root.querySelectorAll("[data-live]").forEach(function (node) { node.disabled = !client.connected; });
}

function renderHeader(state) {
  region("title").textContent = state.meeting.title;
  region("status").textContent = state.meeting.status_label;
  document.title = t("Phòng họp: %(title)s", { title: state.meeting.title }) + " · " + t("Xã Số");
  const box = region("lifecycle");
  box.replaceChildren();
  if (may("start")) {
    box.appendChild(button(t("Bắt đầu họp"), { cls: "btn-success", icon: "play-fill", testid: "start-meeting",
      onClick: function () { act("start"); } }));
  } else if (may("end")) {
    box.appendChild(button(t("Kết thúc họp"), { cls: "btn-outline-danger", icon: "stop-fill", testid: "end-meeting",
      onClick: function () {
        if (window.confirm(t("Kết thúc cuộc họp? Biểu quyết đang mở sẽ được đóng."))) { act("end"); }
      } }));
  }
}

function renderCurrent(state) {
  const item = currentItem(state);
  $('[data-testid="current-item"]').textContent = item ? item.title : t("Chưa bắt đầu mục nào");
  region("presenter").textContent = item && item.presenter ? t("Trình bày: %(name)s", { name: item.presenter.name }) : "";
  renderCountdown();
  const controls = region("item-controls");
  controls.replaceChildren();
  if (!may("move_item")) { return; }
  const items = state.agenda.items;
  const index = item ? items.indexOf(item) : -1;
  const next = items[index + 1];
  controls.appendChild(button(next ? t("Mục tiếp theo") : t("Đã đến mục cuối"), {
    cls: "btn-primary btn-lg", icon: "skip-forward-fill", testid: "next-item", disabled: !next,
    onClick: function () { act("move_item", { item_id: next.id }); },
  }));
  if (!item) { return; }
  const timer = function (action, minutes) {
    return function () { act("timer", { item_id: item.id, action: action, minutes: minutes }); };
  };
  controls.appendChild(button(t("+5 phút"), { icon: "plus-circle", onClick: timer("extend", 5) }));
  if (item.timer.running) {
    controls.appendChild(button(t("Tạm dừng"), { icon: "pause-fill", onClick: timer("pause") }));
  } else {
    controls.appendChild(button(t("Tiếp tục"), { icon: "play-fill", onClick: timer("resume") }));
  }
  controls.appendChild(button(t("Đặt lại"), { icon: "arrow-counterclockwise", onClick: timer("restart") }));
}

function renderCountdown() {
  const state = client.state;
  const box = region("countdown");
  const note = region("countdown-note");
  const item = state && currentItem(state);
  if (!item) { box.textContent = "--:--"; note.textContent = ""; box.classList.remove("over"); return; }
  const left = remaining(item.timer, client.now());
  box.textContent = clock(left);
  box.classList.toggle("over", left < 0);
  box.classList.toggle("paused", !item.timer.running);
  note.textContent = left < 0 ? t("Quá giờ") : item.timer.running ? t("Còn lại") : t("Đang dừng");
}

function renderAgenda(state) {
  const list = region("agenda");
  list.replaceChildren();
  state.agenda.items.forEach(function (item, index) {
    const current = item.id === state.agenda.current_item_id;
    const li = el("li", { class: "list-group-item agenda-item" + (current ? " current" : ""),
      "aria-current": current ? "step" : null, dataset: { itemId: String(item.id) } });
    const title = el("button", { type: "button", class: "btn btn-link text-start p-0 agenda-title",
      title: t("Xem ghi chú, kết luận của mục này"),
      on: { click: function () { ui.noteItemId = item.id; renderNotes(client.state); } } },
    [String(index + 1) + ". " + item.title]);
    const meta = el("div", { class: "small text-body-secondary" }, [
      item.presenter ? item.presenter.name + " · " : "",
      t("%(minutes)s phút", { minutes: item.duration_minutes + item.extra_minutes }),
      item.documents.length ? " · " + t("%(count)s tài liệu", { count: item.documents.length }) : "",
    ]);
    li.append(title, meta);
    if (current) { li.appendChild(el("span", { class: "badge text-bg-success" }, [t("Đang thảo luận")])); }
    if (may("move_item") && !current) {
      li.appendChild(button(t("Chuyển đến"), { cls: "btn-outline-primary btn-sm mt-1", icon: "arrow-right-circle",
        onClick: function () { act("move_item", { item_id: item.id }); } }));
    }
    list.appendChild(li);
  });
}

// --- documents and the presenter view --------------------------------------------------------

function presented(state) {
  const p = state.presentation || {};
  if (!p.file_id) { return null; }
  for (const item of state.agenda.items) {
    const doc = item.documents.find(function (d) { return d.file_id === p.file_id; });
    if (doc) { return { doc: doc, page: p.page, by: p.by_name }; }
  }
  return null;
}

function documentById(fileId) {
  for (const item of client.state.agenda.items) {
    const doc = item.documents.find(function (d) { return d.file_id === fileId; });
    if (doc) { return doc; }
  }
  return null;
}

function renderDocuments(state) {
  const item = currentItem(state);
  const docs = item ? item.documents : [];
  const shown = presented(state);
  const box = region("documents");
  box.replaceChildren();
  if (!docs.length) {
    box.appendChild(el("span", { class: "text-body-secondary" }, [t("Mục này không có tài liệu.")]));
  }
  docs.forEach(function (doc) {
    const active = ui.follow ? shown && shown.doc.file_id === doc.file_id : ui.local.fileId === doc.file_id;
    const group = el("div", { class: "btn-group" });
    group.appendChild(el("button", { type: "button", class: "btn " + (active ? "btn-primary" : "btn-outline-primary"),
      "data-document": String(doc.file_id),
      on: { click: function () { chooseDocument(doc); } } }, [icon("file-earmark-text"), " ", doc.title]));
    group.appendChild(el("a", { class: "btn btn-outline-secondary", href: doc.url, target: "_blank", rel: "noopener",
      title: t("Mở tệp trong cửa sổ mới"), "aria-label": t("Mở tệp %(title)s", { title: doc.title }) }, [icon("box-arrow-up-right")]));
    box.appendChild(group);
  });
  region("presentation").textContent = shown
    ? (shown.by
      ? t("Đang trình chiếu: %(title)s, trang %(page)s (%(name)s)", { title: shown.doc.title, page: shown.page, name: shown.by })
      : t("Đang trình chiếu: %(title)s, trang %(page)s", { title: shown.doc.title, page: shown.page }))
    : t("Chưa có tài liệu nào được trình chiếu.");
  $("[data-follow]").checked = ui.follow;
  showPage();
}

// What this reader should see now: the presenter's page, or their own browsing.
function wanted() {
  const state = client.state;
  if (ui.follow) {
    const shown = presented(state);
    return shown ? { doc: shown.doc, page: shown.page } : null;
  }
  const doc = ui.local.fileId != null ? documentById(ui.local.fileId) : null;
  return doc ? { doc: doc, page: ui.local.page } : null;
}

function showPage() {
  const target = wanted();
  if (!target) {
    viewer.clear(ui.follow ? t("Chưa có tài liệu nào được trình chiếu.") : t("Chọn một tài liệu để xem."));
    ui.pages = null;
    updatePager();
    return;
  }
  viewer.show(target.doc, target.page).then(function (result) {
    if (result) {
      ui.pages = result.pages;
      if (!ui.follow) { ui.local.page = result.page; }
    }
    updatePager();
  });
  updatePager();
}

function updatePager() {
  const page = Number(viewer.root.dataset.page) || null;
  region("page-label").textContent = !page ? "–"
    : ui.pages ? t("Trang %(page)s / %(pages)s", { page: page, pages: ui.pages }) : t("Trang %(page)s", { page: page });
  root.querySelectorAll("[data-page-step]").forEach(function (b) {
    const step = Number(b.dataset.pageStep);
    b.disabled = !page || (step < 0 ? page <= 1 : ui.pages != null && page >= ui.pages) ||
      (ui.follow && may("present") && !client.connected);
  });
}

function chooseDocument(doc) {
  if (ui.follow && may("present")) {
    act("present", { file_id: doc.file_id, page: 1 });
    return;
  }
  setFollow(false);
  ui.local = { fileId: doc.file_id, page: 1 };
  renderDocuments(client.state);
}

function stepPage(step) {
  const page = Number(viewer.root.dataset.page) || 1;
  const target = wanted();
  if (!target) { return; }
  if (ui.follow && may("present")) {
    act("present", { file_id: target.doc.file_id, page: page + step });
    return;
  }
  if (ui.follow) { setFollow(false); ui.local = { fileId: target.doc.file_id, page: page }; }
  ui.local.page = Math.max(1, page + step);
  showPage();
}

function setFollow(on) {
  ui.follow = on;
  $("[data-follow]").checked = on;
}

$("[data-follow]").addEventListener("change", function (event) {
  setFollow(event.target.checked);
  if (!ui.follow) {
    const shown = presented(client.state);
    ui.local = shown ? { fileId: shown.doc.file_id, page: shown.page } : { fileId: null, page: 1 };
  }
  renderDocuments(client.state);
});
root.querySelectorAll("[data-page-step]").forEach(function (b) {
  b.addEventListener("click", function () { stepPage(Number(b.dataset.pageStep)); });
});
let resizeTimer = null;
window.addEventListener("resize", function () {
  window.clearTimeout(resizeTimer);
  resizeTimer = window.setTimeout(function () { if (client.state) { showPage(); } }, 250);
});

// --- votes ---------------------------------------------------------------------------------

function participantName(userId) {
  const p = (client.state.participants || []).find(function (x) { return x.id === userId; });
  return p ? p.name : "#" + userId;
}

function renderVotes(state) {
  const box = region("votes");
  box.replaceChildren();
  const item = currentItem(state);
  const open = openVote(state);
  const votes = (state.votes || []).filter(function (v) {
    return v.status === "open" || (item && v.item_id === item.id);
  }).reverse();
  if (!votes.length) {
    box.appendChild(el("p", { class: "text-body-secondary mb-0" }, [t("Chưa có biểu quyết nào cho mục này.")]));
  }
  votes.forEach(function (vote) { box.appendChild(voteCard(state, vote)); });
  const form = $("[data-open-vote]");
  form.hidden = !(may("open_vote") && item && !open);
  if (item) { $("#vote-question").placeholder = item.title; }
}

function voteCard(state, vote) {
  const open = vote.status === "open";
  const voted = vote.voted.indexOf(me().id) >= 0;
  const card = el("div", { class: "vote mb-3" + (open ? " open" : ""), "data-testid": "vote",
    dataset: { voteId: String(vote.id), status: vote.status } });
  card.appendChild(el("div", { class: "d-flex flex-wrap align-items-center gap-2 mb-2" }, [
    el("strong", { class: "me-auto" }, [vote.question]),
    vote.secret ? el("span", { class: "badge text-bg-dark" }, [icon("incognito"), " " + t("Biểu quyết kín")]) : null,
    el("span", { class: "badge " + (open ? "text-bg-warning" : "text-bg-secondary") },
      [open ? t("Đang biểu quyết") : t("Đã kết thúc")]),
  ]));
  if (open && may("cast_ballot")) {
    if (voted) {
      card.appendChild(el("div", { class: "alert alert-success py-2 mb-2", "data-testid": "voted" },
        [icon("check-circle-fill"), " " + t("Đã biểu quyết")]));
    } else {
      const choices = el("div", { class: "d-flex flex-wrap gap-2 mb-2" });
      vote.options.forEach(function (option) {
        choices.appendChild(button(option.label, { cls: "btn-outline-primary btn-lg", testid: "ballot",
          onClick: function () { act("cast_ballot", { vote_id: vote.id, option_id: option.id }); } }));
      });
      card.appendChild(choices);
    }
  }
  const total = Math.max(1, vote.cast);
  const tally = el("ul", { class: "list-unstyled mb-2 tally" });
  vote.options.forEach(function (option) {
    const shown = option.count !== null && option.count !== undefined;
    const bar = el("div", { class: "progress", role: "progressbar", "aria-label": option.label,
      "aria-valuenow": shown ? option.count : 0, "aria-valuemin": 0, "aria-valuemax": vote.cast });
    const fill = el("div", { class: "progress-bar" });
    fill.style.width = (shown ? Math.round(100 * option.count / total) : 0) + "%";
    bar.appendChild(fill);
    tally.appendChild(el("li", { class: "mb-1", dataset: { optionId: String(option.id) } }, [
      el("div", { class: "d-flex" }, [
        el("span", { class: "me-auto" }, [option.label]),
        el("strong", { "data-testid": "option-count" }, [shown ? String(option.count) : "—"]),
      ]),
      bar,
    ]));
  });
  card.appendChild(tally);
  const voters = (state.participants || []).filter(function (p) { return p.votes; });
  card.appendChild(el("div", { class: "small text-body-secondary", "data-testid": "cast" },
    [vote.secret && open
      ? t("Đã có %(cast)s/%(total)s phiếu (kết quả công bố khi kết thúc)", { cast: vote.cast, total: voters.length })
      : t("Đã có %(cast)s/%(total)s phiếu", { cast: vote.cast, total: voters.length })]));
  if (vote.outcome) {
    card.appendChild(el("div", { class: "fw-semibold mt-1 outcome-" + vote.outcome, "data-testid": "vote-outcome",
      "data-outcome": vote.outcome }, [outcomeText(vote)]));
  }
  if (may("close_vote") && open) {
    const missing = voters.filter(function (p) { return vote.voted.indexOf(p.id) < 0; });
    card.appendChild(el("div", { class: "small mt-1", "data-testid": "not-voted" }, [
      missing.length ? t("Chưa biểu quyết: %(names)s", { names: missing.map(function (p) { return p.name; }).join(", ") })
        : t("Mọi thành viên đã biểu quyết.")]));
    card.appendChild(el("div", { class: "mt-2" }, [button(t("Kết thúc biểu quyết"), {
      cls: "btn-outline-danger", icon: "stop-circle", testid: "close-vote",
      onClick: function () { act("close_vote", { vote_id: vote.id }); } })]));
  }
  if (!vote.secret && vote.ballots && !open) {
    const names = Object.keys(vote.ballots).map(function (uid) {
      const option = vote.options.find(function (o) { return o.id === vote.ballots[uid]; });
      return participantName(Number(uid)) + ": " + (option ? option.label : "?");
    });
    if (names.length) {
      card.appendChild(el("details", { class: "small mt-1" }, [el("summary", {}, [t("Ai chọn gì")]),
        el("div", {}, [names.join("; ")])]));
    }
  }
  return card;
}

$("[data-open-vote]").addEventListener("submit", function (event) {
  event.preventDefault();
  const item = currentItem(client.state);
  if (!item) { toast(t("Chưa có mục chương trình nào đang thảo luận.")); return; }
  const form = event.target;
  const lines = form.options.value.split("\n").map(function (s) { return s.trim(); }).filter(Boolean);
  const payload = { item_id: item.id, question: form.question.value.trim(), secret: form.secret.checked };
  if (lines.length) { payload.options = lines; }
  act("open_vote", payload).then(function (ack) {
    if (ack.ok) { form.reset(); }
  });
});

// --- speakers ------------------------------------------------------------------------------

function renderSpeakers(state) {
  const speakers = state.speakers || [];
  const speaking = speakers.find(function (s) { return s.status === "speaking"; });
  const box = region("speaking");
  box.replaceChildren();
  if (speaking) {
    box.appendChild(el("div", { class: "speaking p-2 rounded", "data-testid": "speaking" }, [
      icon("mic-fill"), " " + t("Đang phát biểu:") + " ", el("strong", {}, [speaking.user.name]),
      speaking.topic ? el("div", { class: "small" }, [speaking.topic]) : null,
      may("end_speech") ? el("div", { class: "mt-1" }, [button(t("Kết thúc lượt"), { cls: "btn-outline-dark btn-sm",
        onClick: function () { act("end_speech", { request_id: speaking.id }); } })]) : null,
    ]));
  }
  const list = region("queue");
  list.replaceChildren();
  const queued = speakers.filter(function (s) { return s.status === "queued"; });
  if (!queued.length) {
    list.appendChild(el("li", { class: "text-body-secondary small" }, [t("Không có ai chờ phát biểu.")]));
  }
  queued.forEach(function (s, index) {
    const actions = el("div", { class: "d-flex gap-1 flex-wrap mt-1" });
    if (may("grant_speech")) {
      actions.appendChild(button(t("Mời phát biểu"), { cls: "btn-success btn-sm",
        onClick: function () { act("grant_speech", { request_id: s.id }); } }));
    }
    if (may("decline_speech")) {
      actions.appendChild(button(t("Từ chối"), { cls: "btn-outline-secondary btn-sm",
        onClick: function () { act("decline_speech", { request_id: s.id }); } }));
    }
    if (s.user.id === me().id) {
      actions.appendChild(button(t("Rút đăng ký"), { cls: "btn-outline-danger btn-sm",
        onClick: function () { act("withdraw_speech", { request_id: s.id }); } }));
    }
    list.appendChild(el("li", { class: "queued mb-2", "data-testid": "queued" }, [
      el("span", { class: "badge text-bg-light border me-1" }, [String(index + 1)]),
      el("strong", {}, [s.user.name]), s.topic ? " — " + s.topic : "",
      actions.childNodes.length ? actions : null,
    ]));
  });
  const mine = speakers.some(function (s) { return s.user.id === me().id; });
  $("[data-speech-form]").hidden = mine || !may("request_speech");
}

$("[data-speech-form]").addEventListener("submit", function (event) {
  event.preventDefault();
  const form = event.target;
  act("request_speech", { topic: form.topic.value.trim() }).then(function (ack) {
    if (ack.ok) { form.reset(); }
  });
});

// --- attendance ----------------------------------------------------------------------------

function renderParticipants(state) {
  const people = state.participants || [];
  const present = people.filter(function (p) { return p.checked_in; }).length;
  $('[data-testid="attendance"]').textContent = t("Có mặt %(present)s/%(total)s", { present: present, total: people.length });
  const self = people.find(function (p) { return p.id === me().id; });
  const selfBox = region("self-check-in");
  selfBox.replaceChildren();
  if (self && !self.checked_in && may("check_in")) {
    selfBox.appendChild(button(t("Điểm danh"), { cls: "btn-success btn-lg w-100 mb-3", icon: "person-check",
      testid: "check-in", onClick: function () { act("check_in"); } }));
  }
  const list = region("participants");
  list.replaceChildren();
  people.forEach(function (p) {
    const role = p.id === (state.meeting.chair || {}).id ? t("Người chủ trì")
      : p.id === (state.meeting.secretary || {}).id ? t("Thư ký") : p.role === "guest" ? t("Khách mời") : "";
    const li = el("li", { class: "list-group-item d-flex align-items-center gap-2", dataset: { userId: String(p.id) } }, [
      el("span", { class: "presence " + (p.online ? "online" : "offline"),
        title: p.online ? t("Đang trực tuyến") : t("Không trực tuyến"),
        role: "img", "aria-label": p.online ? t("Đang trực tuyến") : t("Không trực tuyến") }),
      el("div", { class: "me-auto" }, [
        el("div", {}, [p.name]),
        el("div", { class: "small text-body-secondary" }, [
          [p.position, role, p.delegate_for ? t("dự thay %(name)s", { name: p.delegate_for.name }) : "",
            p.rsvp === "absent" ? t("vắng: %(reason)s", { reason: p.rsvp_reason || "" }) : ""].filter(Boolean).join(" · ")]),
      ]),
    ]);
    if (p.checked_in) {
      li.appendChild(el("span", { class: "badge text-bg-success" }, [icon("check"), " " + t("Có mặt")]));
    } else if (may("check_in_others") && p.id !== me().id) {
      li.appendChild(button(t("Điểm danh"), { cls: "btn-outline-success btn-sm",
        onClick: function () { act("check_in", { user_id: p.id }); } }));
    }
    list.appendChild(li);
  });
}

// --- notes and conclusions -----------------------------------------------------------------

const note = $("[data-note]");
const noteStatus = region("note-status");
let noteShownFor = null;
let noteSaving = null;

function renderNotes(state) {
  const id = noteItemId();
  const item = id != null ? itemById(id) : null;
  region("notes-item").textContent = item
    ? (id === state.agenda.current_item_id ? t("Mục đang thảo luận: %(title)s", { title: item.title })
      : t("Mục: %(title)s", { title: item.title })) : "";
  note.disabled = !item;
  if (noteShownFor !== id) {
    if (ui.noteDirty) { saveNote(); }
    noteShownFor = id;
    note.value = ui.notes[String(id)] || "";
    noteStatus.textContent = "";
  }
  const conclusionRead = region("conclusion-read");
  const form = $("[data-conclusion]");
  const area = $("#conclusion");
  const writable = may("save_conclusion") && item;
  form.hidden = !writable;
  conclusionRead.hidden = Boolean(writable);
  conclusionRead.textContent = item && item.conclusion ? item.conclusion : t("Chưa có kết luận.");
  if (writable && (ui.conclusionItemId !== id || (document.activeElement !== area && !area.dataset.dirty))) {
    area.value = item.conclusion || "";
    ui.conclusionItemId = id;
    delete area.dataset.dirty;
  }
}

function saveNote() {
  window.clearTimeout(ui.noteTimer);
  const id = noteShownFor;
  if (id == null || !ui.noteDirty) { return; }
  if (!client.connected) { noteStatus.textContent = t("Chưa lưu: mất kết nối, sẽ lưu khi kết nối lại."); return; }
  const text = note.value;
  ui.noteDirty = false;
  noteStatus.textContent = t("Đang lưu…");
  noteSaving = client.call("save_note", { item_id: id, text: text }).then(function (ack) {
    if (ack.ok) {
      ui.notes[String(id)] = text;
      if (!ui.noteDirty && noteShownFor === id) { noteStatus.textContent = t("Đã lưu"); }
    } else {
      ui.noteDirty = true;
      noteStatus.textContent = t("Chưa lưu: %(message)s", { message: ack.error.message });
      if (ack.error.code !== "disconnected") { toast(ack.error); }
    }
  });
  return noteSaving;
}

note.addEventListener("input", function () {
  ui.noteDirty = true;
  ui.notes[String(noteShownFor)] = note.value;
  noteStatus.textContent = t("Đang soạn…");
  window.clearTimeout(ui.noteTimer);
  ui.noteTimer = window.setTimeout(saveNote, 1500);
});
note.addEventListener("blur", saveNote);

$("#conclusion").addEventListener("input", function (event) { event.target.dataset.dirty = "1"; });
$("[data-conclusion]").addEventListener("submit", function (event) {
  event.preventDefault();
  const id = noteItemId();
  const area = $("#conclusion");
  const status = region("conclusion-status");
  status.textContent = t("Đang lưu…");
  act("save_conclusion", { item_id: id, text: area.value }).then(function (ack) {
    if (ack.ok) { delete area.dataset.dirty; status.textContent = t("Đã lưu kết luận"); }
    else { status.textContent = ""; }
  });
});

// --- the clock -----------------------------------------------------------------------------

window.setInterval(function () { if (client.state) { renderCountdown(); } }, 500);
showStatus(client.status);
