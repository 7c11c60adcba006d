// Assessment editor: what is typed in a rating form and not saved yet stays in this
// browser (localStorage, one entry per user, assessment and indicator) and comes back after a
// reload; it is forgotten once the server has the save (the page then says ?saved=CODE).
// The draft keeps the token of the rating it was typed over, so saving a draft restored
// after someone else's save is answered with the conflict page, never applied silently.
(function () {
  "use strict";
  const FIELDS = [
    "token", "rating", "trend", "confidence", "rationale",
    "evidence_kind", "evidence_ref", "evidence_note", "evidence_grade",
  ];
  const holder = document.getElementById("assess-factor");
  const saved = holder ? holder.dataset.saved : "";
  if (saved) {
    // a reload must not forget what is typed after this save
    const url = new URL(window.location.href);
    url.searchParams.delete("saved");
    window.history.replaceState(null, "", url.pathname + url.search + url.hash);
  }

  function values(form) {
    const out = {};
    for (const name of FIELDS) {
      const field = form.elements.namedItem(name);
      if (field && "value" in field) out[name] = field.value;
    }
    return out;
  }

  // "keep the saved version" on the conflict page: the user's draft is given up
  for (const link of document.querySelectorAll("a[data-discard-draft]")) {
    link.addEventListener("click", () => localStorage.removeItem(link.dataset.discardDraft));
  }

  for (const form of document.querySelectorAll("form[data-draft-key]")) {
    const key = form.dataset.draftKey;
    const status = form.querySelector(".draft-status");
    const shown = JSON.stringify(values(form));
    const say = (text) => {
      if (!status) return;
      status.textContent = text;
      status.hidden = !text;
    };
    if (saved && key.endsWith(":" + saved)) localStorage.removeItem(key);
    const draft = JSON.parse(localStorage.getItem(key) || "null");
    // the conflict page shows the user's own values already: it only keeps them
    if (draft && !form.hasAttribute("data-conflict")) {
      const current = values(form).token;
      for (const [name, value] of Object.entries(draft)) {
        const field = form.elements.namedItem(name);
        if (field && "value" in field) field.value = value;
      }
      say(
        "Unsaved changes restored from this browser" +
          (draft.token !== current
            ? "; someone has saved this indicator since, so saving will show both versions."
            : ".")
      );
      const discard = document.createElement("button");
      discard.type = "button";
      discard.className = "link";
      discard.textContent = "Discard unsaved changes";
      discard.addEventListener("click", () => {
        localStorage.removeItem(key);
        window.location.reload();
      });
      status.after(discard);
    }
    const keep = () => {
      const now = values(form);
      if (JSON.stringify(now) === shown) localStorage.removeItem(key);
      else localStorage.setItem(key, JSON.stringify(now));
    };
    form.addEventListener("input", keep);
    form.addEventListener("change", keep);
  }
})();
