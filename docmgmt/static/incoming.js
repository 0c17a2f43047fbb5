// Xã Số, incoming documents: the registration form (confidential switch, first-page
// preview, Enter submits from the subject box), deadline inputs and printing.
// Loaded as a file: the Content-Security-Policy forbids inline scripts.
(function () {
  "use strict";

  const form = document.querySelector("[data-register-form]");
  if (form) {
    const secrecy = form.querySelector("[data-confidentiality]");
    const contentOnly = form.querySelectorAll("[data-content-only]");
    const paperOnly = form.querySelectorAll("[data-paper-only]");
    const holder = form.querySelector('[name="paper_holder"]');

    // Mật, Tối mật, Tuyệt mật: the paper stays on paper. Hide and disable every content
    // input (a disabled input is not sent), ask for the holder of the paper instead.
    const applySecrecy = function () {
      const secret = secrecy && secrecy.value !== "thuong";
      contentOnly.forEach(function (el) {
        el.hidden = secret;
        el.querySelectorAll("input, textarea, select").forEach(function (input) {
          input.disabled = secret;
        });
      });
      paperOnly.forEach(function (el) {
        el.hidden = !secret;
        el.querySelectorAll("input").forEach(function (input) { input.disabled = !secret; });
      });
      if (holder) { holder.required = secret; }
    };
    if (secrecy) {
      secrecy.addEventListener("change", function () {
        applySecrecy();
        if (secrecy.value !== "thuong" && holder) { holder.focus(); }
      });
      applySecrecy();
    }

    // Enter in the subject box registers (Shift+Enter for a new line), as in every field.
    const subject = form.querySelector('[name="subject"]');
    if (subject) {
      subject.addEventListener("keydown", function (event) {
        if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
          event.preventDefault();
          form.requestSubmit();
        }
      });
    }

    // The chosen file's first page, shown before anything leaves the machine.
    const input = form.querySelector("[data-preview-input]");
    const frame = form.querySelector("[data-preview-frame]");
    const img = form.querySelector("[data-preview-img]");
    const empty = form.querySelector("[data-preview-empty]");
    const none = form.querySelector("[data-preview-none]");
    const list = form.querySelector("[data-preview-list]");
    let url = null;
    const show = function (file) {
      if (url) { URL.revokeObjectURL(url); url = null; }
      [frame, img, empty, none].forEach(function (el) { if (el) { el.hidden = true; } });
      if (!file) { if (empty) { empty.hidden = false; } return; }
      const isPdf = file.type === "application/pdf" || /\.pdf$/i.test(file.name);
      const isImage = /^image\/(png|jpeg)$/.test(file.type);
      if (!isPdf && !isImage) { if (none) { none.hidden = false; } return; }
      url = URL.createObjectURL(file);
      if (isPdf && frame) {
        frame.src = url + "#page=1&toolbar=0&navpanes=0";
        frame.hidden = false;
      } else if (img) {
        img.src = url;
        img.hidden = false;
      }
    };
    if (input) {
      input.addEventListener("change", function () {
        const files = Array.from(input.files || []);
        if (list) {
          list.replaceChildren();
          files.forEach(function (file) {
            const li = document.createElement("li");
            const button = document.createElement("button");
            button.type = "button";
            button.className = "btn btn-link btn-sm p-0";
            button.textContent = file.name + " (" + Math.max(1, Math.round(file.size / 1024)) + " KB)";
            button.addEventListener("click", function () { show(file); });
            li.appendChild(button);
            list.appendChild(li);
          });
        }
        show(files[0]);
      });
    }
  }

  // Direction: a date or a number of working days, not both.
  document.querySelectorAll("[data-deadline-pair]").forEach(function (box) {
    const date = box.querySelector("input[data-date]");
    const days = box.querySelector('input[type="number"]');
    if (!date || !days) { return; }
    ["input", "change"].forEach(function (name) {
      date.addEventListener(name, function () { if (date.value) { days.value = ""; } });
    });
    days.addEventListener("input", function () { if (days.value) { date.value = ""; } });
  });

  // Direction: searchable people pickers; whoever is the main handler cannot also be chosen
  // as a co-handler or for information (the server refuses it too: duplicate_assignee).
  document.querySelectorAll("[data-direction]").forEach(function (box) {
    const pick = function (role) {
      const select = box.querySelector('select[data-role="' + role + '"]');
      return select ? window.xaso.peoplePicker(select) : null;
    };
    const main = pick("main");
    const others = [pick("co"), pick("info")].filter(Boolean);
    if (!main) { return; }
    let previous = "";
    const exclude = function () {
      const chosen = main.getValue();
      others.forEach(function (ts) {
        [previous, chosen].forEach(function (value) {
          const option = value && ts.options[value];
          if (option) { ts.updateOption(value, Object.assign({}, option, { disabled: value === chosen })); }
        });
        if (chosen) { ts.removeItem(chosen, true); }
        ts.refreshOptions(false);
      });
      previous = chosen;
    };
    main.on("change", exclude);
    exclude();
  });

  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
})();
