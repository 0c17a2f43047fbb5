// Xã Số, the weekly schedule's pages (a file: the CSP forbids inline scripts).
// - people pickers on the entry form (app.js's picker; Tom Select is loaded by the page);
// - "Bỏ khỏi lịch" asks first (forms marked data-confirm);
// - the print page's button;
// - the hall's big screen: the content asked for again every minute and swapped in only
//   when it changed (no reload, no flicker), the clock kept, a badge when the server is
//   out of reach (the last content stays on screen) or the link was revoked.
(function () {
  "use strict";
  if (window.xaso && window.xaso.peoplePicker) {
    document.querySelectorAll("select[data-people]").forEach(function (select) {
      window.xaso.peoplePicker(select);
    });
  }

  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.dataset.confirm)) { event.preventDefault(); }
    });
  });

  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });

  const screen = document.querySelector("[data-schedule-screen]");
  if (!screen) { return; }
  const content = screen.querySelector("[data-screen-content]");
  const status = screen.querySelector("[data-testid=screen-status]");
  const clock = screen.querySelector("[data-clock]");
  const every = (parseInt(screen.dataset.refresh, 10) || 60) * 1000;
  let last = null;  // the last content received (the DOM's own serialisation may differ)

  function tick() {
    const now = new Date();
    // Vietnam time whatever the TV's zone.
    clock.textContent = now.toLocaleTimeString("vi-VN", {hour: "2-digit", minute: "2-digit", hour12: false,
                                                         timeZone: "Asia/Ho_Chi_Minh"});
  }
  function state(name) {
    status.dataset.state = name;
    status.textContent = name === "ok" ? "" : (name === "gone" ? status.dataset.textGone : status.dataset.textOffline);
  }
  function refresh() {
    fetch(screen.dataset.contentUrl, {cache: "no-store", credentials: "same-origin", redirect: "error"})
      .then(function (response) {
        if (response.status === 404) { state("gone"); return null; }
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.text();
      })
      .then(function (html) {
        if (html === null) { return; }
        state("ok");
        if (html !== last) { content.innerHTML = html; }
        last = html;
        screen.dataset.refreshed = String(Date.now());
      })
      .catch(function () { state("offline"); });
  }
  tick();
  setInterval(tick, 15 * 1000);
  setInterval(refresh, every);
  screen.refreshNow = refresh;  // for a test, or a remote: ask at once
})();
