// The public page's enhancements; the page works without them (a plain form the server answers).
// - typeahead on the job title (ARIA 1.2 combobox over /v1/titles/suggest);
// - searches (by job title, and by what the person can do), "did you mean" links, the links to other
//   jobs and the back button update the results in place, with the address kept shareable and the
//   result announced in the live region;
// - "was this helpful?" is sent without leaving the results.
"use strict";

(function () {
  const form = document.getElementById("search");
  const canForm = document.getElementById("can-search"); // "What can you do?"
  const results = document.getElementById("results");
  const announcer = document.getElementById("announce");
  if (!form || !results || !announcer) return;
  const fragments = new Map(); // address → results already shown, so going back logs no new search

  function announce(text) {
    announcer.textContent = "";
    window.setTimeout(() => { announcer.textContent = text; }, 50);
  }

  // ---- Typeahead ---------------------------------------------------------------------------
  const input = document.getElementById("q");
  const combo = input.parentElement;
  const list = document.createElement("ul");
  list.id = "q-suggestions";
  list.setAttribute("role", "listbox");
  list.setAttribute("aria-label", input.labels[0].textContent);
  list.hidden = true;
  combo.appendChild(list);
  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-expanded", "false");
  input.setAttribute("aria-controls", list.id);
  let active = -1;
  let pending = null;
  let asked = "";
  let ticket = 0; // suggestions asked before the list was last closed are not shown

  function options() { return Array.from(list.querySelectorAll("[role=option]")); }

  function close() {
    window.clearTimeout(pending);
    ticket += 1;
    asked = "";
    list.hidden = true;
    list.replaceChildren();
    active = -1;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
  }

  function highlight(index) {
    const all = options();
    all.forEach((option, i) => option.setAttribute("aria-selected", i === index ? "true" : "false"));
    active = index;
    if (index >= 0) {
      input.setAttribute("aria-activedescendant", all[index].id);
      all[index].scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function choose(option) {
    input.value = option.dataset.title;
    close();
    input.focus();
  }

  async function suggest() {
    const prefix = input.value.trim();
    if (prefix.length < 2 || prefix === asked) {
      if (prefix.length < 2) close();
      return;
    }
    asked = prefix;
    const mine = ticket;
    try {
      // Titles of both languages: people type in either, whatever the page's language.
      const answer = await fetch(`/v1/titles/suggest?prefix=${encodeURIComponent(prefix)}&limit=8`);
      if (!answer.ok || input.value.trim() !== prefix || mine !== ticket) return;
      const items = (await answer.json()).items;
      if (mine !== ticket || document.activeElement !== input) return;
      list.replaceChildren();
      items.forEach((item, i) => {
        const option = document.createElement("li");
        option.id = `q-option-${i}`;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.dataset.title = item.title;
        option.lang = item.lang; // read in its own language by screen readers
        option.textContent = item.title;
        const group = document.createElement("span");
        group.className = "noc-title";
        group.textContent = item.noc_title;
        option.appendChild(group);
        option.addEventListener("mousedown", (event) => { event.preventDefault(); choose(option); });
        list.appendChild(option);
      });
      active = -1;
      list.hidden = items.length === 0;
      input.setAttribute("aria-expanded", items.length ? "true" : "false");
      if (items.length) announce(form.dataset.suggestions.replace("{count}", items.length));
    } catch (error) {
      close();
    }
  }

  input.addEventListener("input", () => {
    window.clearTimeout(pending);
    pending = window.setTimeout(suggest, 150);
  });
  input.addEventListener("keydown", (event) => {
    const all = options();
    if (event.key === "ArrowDown" && all.length) {
      event.preventDefault();
      if (list.hidden) { list.hidden = false; input.setAttribute("aria-expanded", "true"); }
      highlight((active + 1) % all.length);
    } else if (event.key === "ArrowUp" && all.length) {
      event.preventDefault();
      highlight(active <= 0 ? all.length - 1 : active - 1);
    } else if (event.key === "Enter" && !list.hidden && active >= 0) {
      event.preventDefault();
      choose(all[active]);
    } else if (event.key === "Escape") {
      if (!list.hidden) event.preventDefault();
      close(); // also drops suggestions still on their way
    }
  });
  input.addEventListener("blur", () => window.setTimeout(close, 100));

  // ---- Results in place ----------------------------------------------------------------------
  function addressOf(formData) {
    const kept = new URLSearchParams();
    for (const [name, value] of formData) {
      if (typeof value === "string" && value.trim() !== "") kept.append(name, value);
    }
    return `/?${kept.toString()}`;
  }

  function show(html, moveFocus) {
    results.innerHTML = html;
    enhanceResults();
    const section = results.querySelector("[data-announce]");
    if (section) {
      announce(section.dataset.announce);
      if (section.dataset.title) document.title = section.dataset.title;
    }
    if (moveFocus) {
      const heading = results.querySelector("#result-heading") || results;
      heading.focus();
    }
  }

  function syncForm(address) {
    // The form shows the query of the results on screen (after going back, say).
    const params = new URL(address, window.location.origin).searchParams;
    for (const field of form.elements) {
      if (!field.name || field.type === "hidden" || field.type === "submit") continue;
      field.value = params.get(field.name) || "";
    }
    if (canForm) canForm.elements.namedItem("can").value = params.get("can") || "";
    form.querySelectorAll("input[name=noc], input[name=noc_q]").forEach((field) => field.remove());
    if (params.get("noc")) {
      // After the title, as the server puts them: the address keeps one order of parameters.
      let after = input.closest(".field");
      for (const name of ["noc", "noc_q"]) {
        const field = document.createElement("input");
        field.type = "hidden";
        field.name = name;
        field.value = params.get(name) || "";
        after.after(field);
        after = field;
      }
    }
  }

  async function load(address, { push, moveFocus }) {
    if (fragments.has(address) && !push) {
      show(fragments.get(address), moveFocus);
      return;
    }
    results.setAttribute("aria-busy", "true");
    announce(form.dataset.searching);
    try {
      const answer = await fetch(address.replace(/^\/\?/, "/results?"), { headers: { Accept: "text/html" } });
      if (answer.status >= 500 && answer.status !== 503) throw new Error(String(answer.status));
      if (answer.status === 422) { window.location.assign(address); return; } // the full page shows the errors
      const html = await answer.text();
      fragments.set(address, html);
      if (push) window.history.pushState({ address }, "", address);
      syncForm(address);
      show(html, moveFocus);
    } catch (error) {
      announce(form.dataset.failed);
    } finally {
      results.removeAttribute("aria-busy");
    }
  }

  form.addEventListener("submit", (event) => {
    if (!form.checkValidity()) return;
    event.preventDefault();
    close();
    const typed = form.querySelector("input[name=noc_q]");
    if (typed && typed.value !== input.value.trim()) {
      form.querySelectorAll("input[name=noc], input[name=noc_q]").forEach((field) => field.remove());
    }
    load(addressOf(new FormData(form)), { push: true, moveFocus: true });
  });

  if (canForm) {
    canForm.addEventListener("submit", (event) => {
      if (!canForm.checkValidity()) return;
      event.preventDefault();
      close();
      // The place is the one chosen in the form above, as it is now.
      canForm.elements.namedItem("region").value = form.elements.namedItem("region").value;
      load(addressOf(new FormData(canForm)), { push: true, moveFocus: true });
    });
  }

  function enhanceResults() {
    results.querySelectorAll("a[data-inpage]").forEach((link) => {
      link.addEventListener("click", (event) => {
        if (event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
        event.preventDefault();
        load(link.getAttribute("href"), { push: true, moveFocus: true });
      });
    });
    const feedback = results.querySelector("form.feedback");
    if (feedback) {
      feedback.addEventListener("submit", async (event) => {
        event.preventDefault();
        const body = new URLSearchParams(new FormData(feedback));
        if (event.submitter) body.set(event.submitter.name, event.submitter.value);
        try {
          const answer = await fetch("/feedback", { method: "POST", body });
          if (!answer.ok) throw new Error(String(answer.status));
          const thanks = document.createElement("p");
          thanks.className = "thanks";
          thanks.tabIndex = -1;
          thanks.textContent = feedback.dataset.thanks;
          feedback.replaceWith(thanks);
          thanks.focus();
          announce(feedback.dataset.thanks);
        } catch (error) {
          feedback.submit();
        }
      });
    }
  }

  window.addEventListener("popstate", () => {
    const address = window.location.pathname + window.location.search;
    syncForm(address);
    const params = new URLSearchParams(window.location.search);
    if (address === "/" || (!params.get("q") && !params.get("can"))) {
      results.replaceChildren();
      return;
    }
    load(address, { push: false, moveFocus: false });
  });

  // The first page came from the server: keep it, so coming back to it logs no new search.
  fragments.set(window.location.pathname + window.location.search, results.innerHTML);
  window.history.replaceState({ address: window.location.pathname + window.location.search }, "");
  enhanceResults();
})();
