// Xã Số, the big screen (templates/meetings/screen.html): the room's state, read-only,
// always following the presenter. Shares the connection and helpers with the room.

import { STATUS_TEXT, clock, connectRoom, currentItem, el, icon, openVote, outcomeText, remaining, t } from "./live.js";
import { PdfViewer } from "./pdfview.js";

const root = document.querySelector("[data-meeting-screen]");
const region = function (name) { return root.querySelector('[data-region="' + name + '"]'); };
const viewer = new PdfViewer(root.querySelector('[data-testid="viewer"]'), {
  moduleUrl: root.dataset.pdfjs, workerUrl: root.dataset.pdfjsWorker, dataUrl: root.dataset.pdfjsData, fit: "contain",
});

const client = connectRoom({
  namespace: root.dataset.namespace,
  meetingId: Number(root.dataset.meetingId),
  onState: render,
  onStatus: showStatus,
  onError: function (error) { viewer.say(error && error.message); },
});

function showStatus(status) {
  const box = root.querySelector('[data-testid="connection"]');
  box.dataset.state = status;
  box.replaceChildren(icon(status === "connected" ? "wifi" : status === "syncing" ? "arrow-repeat" : "wifi-off"),
    " " + STATUS_TEXT[status]);
}

function render() {
  const state = client.state;
  if (!state) { return; }
  region("title").textContent = state.meeting.title;
  region("status").textContent = state.meeting.status_label;
  const people = state.participants || [];
  root.querySelector('[data-testid="attendance"]').textContent =
    t("Có mặt %(present)s/%(total)s", {
      present: people.filter(function (p) { return p.checked_in; }).length, total: people.length });
  const item = currentItem(state);
  root.querySelector('[data-testid="current-item"]').textContent = item ? item.title : "—";
  region("presenter").textContent = item && item.presenter ? t("Trình bày: %(name)s", { name: item.presenter.name }) : "";
  renderCountdown();
  renderPresentation(state);
  renderVote(state);
  renderSpeakers(state);
}

function renderCountdown() {
  const item = client.state && currentItem(client.state);
  const box = region("countdown");
  const note = region("countdown-note");
  if (!item) { box.textContent = "--:--"; note.textContent = ""; return; }
  const left = remaining(item.timer, client.now());
  box.textContent = clock(left);
  box.classList.toggle("over", left < 0);
  box.classList.toggle("paused", !item.timer.running);
  note.textContent = left < 0 ? t("Quá giờ") : item.timer.running ? t("Còn lại") : t("Đang dừng");
}

function renderPresentation(state) {
  const p = state.presentation || {};
  let doc = null;
  if (p.file_id) {
    for (const item of state.agenda.items) {
      doc = item.documents.find(function (d) { return d.file_id === p.file_id; }) || null;
      if (doc) { break; }
    }
  }
  if (!doc) {
    viewer.clear(t("Chưa có tài liệu nào được trình chiếu."));
    region("presentation").textContent = "";
    return;
  }
  region("presentation").textContent = t("%(title)s · trang %(page)s", { title: doc.title, page: p.page }) +
    (p.by_name ? " · " + p.by_name : "");
  viewer.show(doc, p.page);
}

function renderVote(state) {
  const votes = state.votes || [];
  const item = currentItem(state);
  // The open vote, or else the last one closed on the current item (its result).
  const vote = openVote(state) || votes.filter(function (v) {
    return item && v.item_id === item.id && v.status === "closed";
  }).pop();
  const panel = region("vote-panel");
  panel.hidden = !vote;
  // With a vote on screen the other panels tighten so that everything fits a 1080p TV.
  document.querySelector(".screen-side").classList.toggle("voting", Boolean(vote));
  if (!vote) { return; }
  const open = vote.status === "open";
  const label = open ? t("Đang biểu quyết") : t("Kết quả biểu quyết");
  region("vote-label").textContent = vote.secret ? t("%(label)s (kín)", { label: label }) : label;
  region("vote-question").textContent = vote.question;
  const voters = (state.participants || []).filter(function (p) { return p.votes; }).length;
  const tally = region("tally");
  tally.replaceChildren();
  vote.options.forEach(function (option) {
    const known = option.count !== null && option.count !== undefined;
    const fill = el("span");
    fill.style.width = (known && voters ? Math.round(100 * option.count / voters) : 0) + "%";
    tally.appendChild(el("li", { "data-testid": "screen-option" }, [
      el("span", {}, [option.label]),
      el("span", { class: "count" }, [known ? String(option.count) : "—"]),
      el("div", { class: "bar" }, [fill]),
    ]));
  });
  const outcome = region("vote-outcome");
  outcome.textContent = outcomeText(vote);
  outcome.dataset.outcome = vote.outcome || "";
  region("vote-cast").textContent = vote.secret && open
    ? t("Đã có %(cast)s/%(total)s phiếu — kết quả công bố khi kết thúc", { cast: vote.cast, total: voters })
    : t("Đã có %(cast)s/%(total)s phiếu", { cast: vote.cast, total: voters });
}

function renderSpeakers(state) {
  const speakers = state.speakers || [];
  const speaking = speakers.find(function (s) { return s.status === "speaking"; });
  const box = region("speaking");
  box.replaceChildren();
  if (speaking) {
    box.append(icon("mic-fill"), " " + speaking.user.name);
    if (speaking.topic) { box.appendChild(el("div", { class: "presenter" }, [speaking.topic])); }
  } else {
    box.appendChild(el("span", { class: "label" }, [t("Chưa có người phát biểu")]));
  }
  const queue = region("queue");
  queue.replaceChildren();
  const queued = speakers.filter(function (s) { return s.status === "queued"; });
  const room = document.querySelector(".screen-side").classList.contains("voting") ? 2 : 6;
  queued.slice(0, room).forEach(function (s) { queue.appendChild(el("li", {}, [s.user.name])); });
  if (queued.length > room) {
    queue.appendChild(el("li", { class: "more" }, [t("và %(count)s người nữa", { count: queued.length - room })]));
  }
}

window.setInterval(function () { if (client.state) { renderCountdown(); } }, 500);
let resizeTimer = null;
window.addEventListener("resize", function () {
  window.clearTimeout(resizeTimer);
  resizeTimer = window.setTimeout(function () { if (client.state) { viewer.shown.width = 0; render(); } }, 250);
});
showStatus(client.status);
