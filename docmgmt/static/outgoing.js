// Xã Số, outgoing documents: the drafting form shows the template's body box or the
// file input, as chosen; the register prints. Loaded as a file (CSP: no inline script).
(function () {
  "use strict";

  // Recipients in the commune: a searchable picker grouped by unit (pages that load Tom Select).
  document.querySelectorAll("select[data-people]").forEach(function (select) {
    window.xaso.peoplePicker(select);
  });

  const form = document.querySelector("[data-draft-form]");
  if (form) {
    const radios = form.querySelectorAll("[data-source]");
    const panes = form.querySelectorAll("[data-source-pane]");
    const apply = function () {
      const chosen = form.querySelector("[data-source]:checked");
      const value = chosen ? chosen.value : "template";
      panes.forEach(function (pane) {
        const on = pane.dataset.sourcePane === value;
        pane.hidden = !on;
        // A hidden input is not sent: a file picked, then abandoned, never uploads.
        pane.querySelectorAll("input, textarea").forEach(function (el) { el.disabled = !on; });
      });
    };
    radios.forEach(function (radio) { radio.addEventListener("change", apply); });
    apply();
  }

  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
})();
