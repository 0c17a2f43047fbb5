// Xã Số front-end glue: send the CSRF token with every htmx and fetch request.
(function () {
  "use strict";
  const meta = document.querySelector('meta[name="csrf-token"]');
  const token = meta ? meta.content : "";
  document.body.addEventListener("htmx:configRequest", function (event) {
    event.detail.headers["X-CSRFToken"] = token;
  });
  window.xaso = { csrfToken: token };

  // Dates are typed and shown dd/mm/yyyy whatever the browser's language (a native date
  // field would follow the browser: mm/dd/yyyy in an English one); the server reads both
  // dd/mm/yyyy and ISO. Month names follow the page's language.
  // The picker (~20 KB over a weak link) is fetched only by pages that have a date field;
  // base.html gives its addresses on this script's tag.
  const english = document.documentElement.lang.indexOf("en") === 0;
  const assets = document.currentScript ? document.currentScript.dataset : {};
  let pickerLoaded = null;
  function loadPicker() {
    if (window.flatpickr) { return Promise.resolve(); }
    if (!pickerLoaded) {
      pickerLoaded = new Promise(function (resolve, reject) {
        const css = document.createElement("link");
        css.rel = "stylesheet";
        css.href = assets.flatpickrCss;
        document.head.appendChild(css);
        [assets.flatpickr, assets.flatpickrVn].forEach(function (src, i, all) {
          const script = document.createElement("script");
          script.src = src;
          script.async = false;  // run in order: the Vietnamese months need flatpickr
          script.onerror = reject;
          if (i === all.length - 1) { script.onload = resolve; }
          document.head.appendChild(script);
        });
      });
    }
    return pickerLoaded;
  }
  function datePickers(root) {
    if (!root.querySelectorAll) { return; }
    const inputs = root.querySelectorAll("input[data-date]");
    if (!inputs.length) { return; }
    loadPicker().then(function () {
      inputs.forEach(function (input) {
        if (input._flatpickr) { return; }
        window.flatpickr(input, {
          dateFormat: "d/m/Y",
          allowInput: true,
          disableMobile: true,
          locale: english ? "default" : (window.flatpickr.l10ns.vn || "default"),
        });
      });
    });
  }
  datePickers(document);
  document.body.addEventListener("htmx:load", function (event) { datePickers(event.detail.elt); });

  // A people picker (for pages that load Tom Select; their own script calls it): searchable
  // by typing, with or without diacritics ("dinh" finds Đinh), choices grouped by unit as
  // the server sends them (optgroups). Returns the Tom Select instance, or null.
  window.xaso.peoplePicker = function (select) {
    if (!window.TomSelect) { return null; }
    if (select.tomselect) { return select.tomselect; }
    // Closed after each choice: an open list would cover the fields below it; typing reopens it.
    // Filtered at each key stroke (a commune's people are few): with Tom Select's default
    // 300 ms delay, a choice clicked quickly was followed by the stale filter pulling the
    // focus back into this field.
    const settings = {diacritics: true, maxOptions: null, hidePlaceholder: true, closeAfterSelect: true,
                      refreshThrottle: 0};
    if (select.multiple) {
      settings.plugins = ["remove_button"];
      settings.placeholder = english ? "Type a name to search" : "Gõ tên để tìm";
    }  // a single choice shows its empty option ("— Chọn … —") as the placeholder
    return new window.TomSelect(select, settings);
  };
})();
