// Xã Số front-end glue: send the CSRF token with every htmx and fetch request.
(function () {
  "use strict";
  const meta = document.querySelector('meta[name="csrf-token"]');
  const token = meta ? meta.content : "";
  document.body.addEventListener("htmx:configRequest", function (event) {
    event.detail.headers["X-CSRFToken"] = token;
  });
  window.xaso = { csrfToken: token };
})();
