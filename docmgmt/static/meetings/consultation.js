// Xã Số, a written consultation's page: while answers may still come, the tally is asked
// for again every few seconds (and when the tab comes back), so the issuer sees each
// answer arrive without reloading. A file: the CSP forbids inline scripts.
(function () {
  "use strict";
  var box = document.querySelector("[data-tally-url]");
  if (!box) {
    return;
  }
  var url = box.getAttribute("data-tally-url");
  var every = parseInt(box.getAttribute("data-poll-ms"), 10) || 5000;
  var busy = false;

  function refresh() {
    if (busy || document.hidden) {
      return;
    }
    busy = true;
    fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        if (!response.ok || response.redirected) { // signed out meanwhile: leave the page as it is
          throw new Error(String(response.status));
        }
        return response.text();
      })
      .then(function (html) {
        box.innerHTML = html;
      })
      .catch(function () { /* the next round tries again */ })
      .then(function () {
        busy = false;
      });
  }

  window.setInterval(refresh, every);
  document.addEventListener("visibilitychange", refresh);
})();
