// Incident report form: keep a draft across reloads, send with retries, never twice.
// Non-identifying fields go to localStorage; names (fields marked data-sensitive) only to
// sessionStorage, which the browser clears when the tab closes. The idempotency key is part
// of the draft, so a retry after a reload is recognised by the server as the same report.
(function () {
  "use strict";
  const form = document.getElementById("report-form");
  if (!form) return;
  const key = form.dataset.draftKey;
  const status = document.getElementById("status");
  const sensitive = new Set(
    Array.from(form.querySelectorAll("[data-sensitive]")).map((el) => el.name)
  );
  const skip = new Set(["csrf_token"]);

  function say(text) {
    status.textContent = text;
    status.hidden = !text;
  }

  function save() {
    const open = {}, closed = {};
    for (const [name, value] of new FormData(form).entries()) {
      if (skip.has(name) || typeof value !== "string") continue;
      (sensitive.has(name) ? closed : open)[name] = value;
    }
    localStorage.setItem(key, JSON.stringify(open));
    sessionStorage.setItem(key, JSON.stringify(closed));
  }

  function restore() {
    const open = JSON.parse(localStorage.getItem(key) || "null");
    const closed = JSON.parse(sessionStorage.getItem(key) || "null");
    if (!open && !closed) return false;
    for (const [name, value] of Object.entries(Object.assign({}, open, closed))) {
      const field = form.elements.namedItem(name);
      if (field && "value" in field) field.value = value;
    }
    return true;
  }

  function clear() {
    localStorage.removeItem(key);
    sessionStorage.removeItem(key);
  }

  if (restore()) say("Your draft was restored.");
  form.addEventListener("input", save);
  form.addEventListener("change", save);
  document.getElementById("discard").addEventListener("click", () => {
    clear();
    window.location.reload();
  });

  // Files cannot be kept in localStorage or sessionStorage: they live in the file input
  // while the tab is open, so retries carry them; a reload forgets them (the form says so).
  function chosenFiles() {
    const input = form.elements.namedItem("attachments");
    return input && input.files ? input.files.length : 0;
  }

  let sending = false;
  async function send(attempt) {
    const data = new FormData(form);
    if (!chosenFiles()) data.delete("attachments");
    const body = chosenFiles() ? data : new URLSearchParams(data);
    const headers = {
      "Accept": "application/json",
      "Idempotency-Key": form.elements.namedItem("idempotency_key").value,
      "X-CSRF-Token": form.elements.namedItem("csrf_token").value,
    };
    let response;
    try {
      response = await fetch(form.action, { method: "POST", body, headers, credentials: "same-origin" });
    } catch (error) {
      const wait = Math.min(30, 2 ** attempt);
      say(`No connection. Your report is saved here and will be sent again in ${wait} s.`);
      setTimeout(() => send(attempt + 1), wait * 1000);
      return;
    }
    if (response.ok) {
      const report = await response.json();
      clear();
      window.location.assign(`/reports/${report.id}`);
      return;
    }
    sending = false;
    let detail = `The server answered ${response.status}.`;
    try {
      const problem = await response.json();
      detail = Array.isArray(problem.detail) ? problem.detail.join("; ") : String(problem.detail);
    } catch (ignored) { /* not JSON */ }
    if (response.status === 401) detail = "Your sign-in expired. Sign in in another tab, then send again; your draft is kept.";
    if (response.status === 409) {
      // The key already stored another version of this report (sent, then edited): a new
      // key lets the edited one be sent as a report of its own, if the monitor wants it.
      const fresh = new Uint8Array(16);
      crypto.getRandomValues(fresh);
      form.elements.namedItem("idempotency_key").value =
        Array.from(fresh, (b) => b.toString(16).padStart(2, "0")).join("");
      save();
      detail = "An earlier version of this report was already stored (see Incident reports). " +
        "Send again to store this version as a new report.";
    }
    if (response.status >= 500) {
      const wait = Math.min(30, 2 ** attempt);
      say(`The server had a problem; trying again in ${wait} s. Your draft is kept.`);
      sending = true;
      setTimeout(() => send(attempt + 1), wait * 1000);
      return;
    }
    say(detail);
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    save();
    if (sending) return;
    sending = true;
    say("Sending…");
    send(0);
  });
  window.addEventListener("online", () => { if (sending) send(0); });
})();
