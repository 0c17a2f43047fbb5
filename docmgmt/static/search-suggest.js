// Suggestions under a search box: completions of the word being typed, from the
// documents the person may open (GET /search/suggest?q=…). For every
// <input data-suggest-url="…"> of the page. An ARIA combobox: ↓/↑ move through the list,
// Enter (or a click) takes a suggestion and searches, Escape closes the list, and typing
// goes on as usual; without a choice Enter submits what was typed.
(function () {
  "use strict";
  const DELAY_MS = 120;
  let counter = 0;

  function setup(input) {
    if (input.dataset.suggestReady) { return; }
    input.dataset.suggestReady = "1";
    const url = input.dataset.suggestUrl;
    const listId = "search-suggest-" + (++counter);
    const list = document.createElement("ul");
    list.id = listId;
    list.className = "dropdown-menu shadow-sm";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", input.dataset.suggestLabel || "Gợi ý");
    list.dataset.testid = "search-suggestions";
    list.style.top = "100%";
    list.style.left = "0";
    list.style.minWidth = "100%";
    const holder = input.parentElement;
    if (window.getComputedStyle(holder).position === "static") { holder.style.position = "relative"; }
    holder.appendChild(list);
    input.setAttribute("autocomplete", "off");
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-controls", listId);
    input.setAttribute("aria-expanded", "false");

    let items = [];
    let active = -1;
    let timer = null;
    let pending = null;

    function close() {
      list.classList.remove("show");
      list.replaceChildren();
      items = [];
      active = -1;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
    }

    function highlight(index) {
      active = index;
      list.querySelectorAll('[role="option"]').forEach(function (li, i) {
        const on = i === index;
        li.classList.toggle("active", on);
        li.setAttribute("aria-selected", on ? "true" : "false");
        if (on) { input.setAttribute("aria-activedescendant", li.id); }
      });
      if (index < 0) { input.removeAttribute("aria-activedescendant"); }
    }

    function choose(index) {
      const item = items[index];
      if (!item) { return; }
      input.value = item.text;
      close();
      if (input.form) { input.form.requestSubmit ? input.form.requestSubmit() : input.form.submit(); }
    }

    function show(suggestions, typed) {
      if (input.value !== typed || document.activeElement !== input) { return; }  // stale answer
      list.replaceChildren();
      items = suggestions;
      active = -1;
      if (!items.length) { close(); return; }
      items.forEach(function (item, i) {
        const li = document.createElement("li");
        li.id = listId + "-" + i;
        li.className = "dropdown-item";
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        li.dataset.testid = "search-suggestion";
        li.textContent = item.text;  // text, never markup
        li.addEventListener("mousedown", function (event) { event.preventDefault(); });  // keep the focus
        li.addEventListener("click", function () { choose(i); });
        list.appendChild(li);
      });
      list.classList.add("show");
      input.setAttribute("aria-expanded", "true");
    }

    function ask() {
      const typed = input.value;
      if (!typed.trim() || /\s$/.test(typed)) { close(); return; }
      if (pending) { pending.abort(); }
      pending = new AbortController();
      fetch(url + "?q=" + encodeURIComponent(typed), {
        headers: { "Accept": "application/json" },
        credentials: "same-origin",
        signal: pending.signal,
      }).then(function (response) {
        return response.ok ? response.json() : { suggestions: [] };
      }).then(function (body) {
        show(body.suggestions || [], typed);
      }).catch(function () { /* aborted or offline: no suggestions */ });
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(ask, DELAY_MS);
    });
    input.addEventListener("keydown", function (event) {
      const open = list.classList.contains("show");
      if (event.key === "ArrowDown" && open) {
        event.preventDefault();
        highlight(active + 1 < items.length ? active + 1 : 0);
      } else if (event.key === "ArrowUp" && open) {
        event.preventDefault();
        highlight(active > 0 ? active - 1 : items.length - 1);
      } else if (event.key === "Enter" && open && active >= 0) {
        event.preventDefault();
        choose(active);
      } else if (event.key === "Escape" && open) {
        event.preventDefault();
        close();
      }
    });
    input.addEventListener("blur", function () { setTimeout(close, 150); });
  }

  document.querySelectorAll("input[data-suggest-url]").forEach(setup);
})();
