// Xã Số, the meeting form: members and guests chosen in searchable pickers grouped by unit
// (app.js's people picker; Tom Select is loaded by the page). A file: the CSP forbids inline scripts.
(function () {
  "use strict";
  document.querySelectorAll("select[data-people]").forEach(function (select) {
    window.xaso.peoplePicker(select);
  });
})();
