// firewatch review app: keyboard triage and small progressive enhancements.
// No inline script anywhere (the CSP forbids it); everything hooks in from here.
(function () {
  "use strict";
  const csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  const status = document.getElementById("status");

  function say(text) {
    if (!status) return;
    status.textContent = text;
    status.classList.add("show");
    clearTimeout(say.timer);
    say.timer = setTimeout(() => status.classList.remove("show"), 2500);
  }

  function typing(event) {
    const t = event.target;
    return t && (t.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(t.tagName));
  }

  const help = document.getElementById("help");
  function toggleHelp() { if (help) help.hidden = !help.hidden; }
  const closeHelp = document.getElementById("help-close");
  if (closeHelp) closeHelp.addEventListener("click", toggleHelp);

  const VERDICTS = { c: "confirm", d: "dismiss", e: "escalate" };
  const NAMES = { confirm: "确认违规", dismiss: "排除", escalate: "升级处理" };

  // -- the review queue -------------------------------------------------------
  const queue = document.getElementById("queue");
  if (queue) {
    const note = document.getElementById("triage-note");
    let rows = () => Array.from(queue.querySelectorAll("tbody tr[data-key]:not(.done)"));
    let index = 0;
    function select(i) {
      const all = rows();
      if (!all.length) { index = 0; return; }
      index = Math.max(0, Math.min(i, all.length - 1));
      all.forEach((r, j) => r.classList.toggle("sel", j === index));
      all[index].scrollIntoView({ block: "nearest" });
    }
    async function decide(verdict) {
      const row = rows()[index];
      if (!row || row.dataset.busy) return;
      row.dataset.busy = "1";
      const body = new URLSearchParams({ verdict: verdict, note: note ? note.value : "", csrf_token: csrf });
      try {
        const response = await fetch(row.dataset.decide, {
          method: "POST", body: body, credentials: "same-origin",
          headers: { "Accept": "application/json", "X-CSRF-Token": csrf },
        });
        const data = await response.json();
        if (!response.ok) throw new Error(data.error || response.statusText);
        row.classList.add("done");
        row.classList.remove("sel");
        row.querySelector(".verdict").textContent = NAMES[verdict];
        row.dataset.verdict = verdict;
        if (note) note.value = "";
        say("已记录：" + NAMES[verdict]);
        select(index);
      } catch (err) {
        delete row.dataset.busy;
        say("保存失败：" + err.message);
      }
    }
    queue.addEventListener("click", (event) => {
      const tr = event.target.closest("tr[data-key]");
      if (tr && !event.target.closest("a, button, input")) select(rows().indexOf(tr));
    });
    document.addEventListener("keydown", (event) => {
      if (event.ctrlKey || event.metaKey || event.altKey) return;
      if (typing(event)) {
        if (event.key === "Escape") event.target.blur();
        return;
      }
      const all = rows();
      if (event.key === "j") select(index + 1);
      else if (event.key === "k") select(index - 1);
      else if ((event.key === "o" || event.key === "Enter") && all[index]) window.location = all[index].dataset.href;
      else if (VERDICTS[event.key]) decide(VERDICTS[event.key]);
      else if (event.key === "n" && note) { note.focus(); }
      else if (event.key === "?") toggleHelp();
      else return;
      event.preventDefault();
    });
    select(0);
    queue.dataset.ready = "1";
  }

  // -- the listing page -------------------------------------------------------
  const listing = document.getElementById("listing");
  const form = document.getElementById("decide");
  if (listing) {
    document.addEventListener("keydown", (event) => {
      if (event.ctrlKey || event.metaKey || event.altKey) return;
      if (typing(event)) {
        if (event.key === "Escape") event.target.blur();
        return;
      }
      if (event.key === "j" && listing.dataset.next) window.location = listing.dataset.next;
      else if (event.key === "k" && listing.dataset.prev) window.location = listing.dataset.prev;
      else if (event.key === "u" && listing.dataset.queue) window.location = listing.dataset.queue;
      else if (form && VERDICTS[event.key]) {
        const button = form.querySelector('button[value="' + VERDICTS[event.key] + '"]');
        form.requestSubmit(button);
      } else if (event.key === "n" && form) form.querySelector("textarea").focus();
      else if (event.key === "?") toggleHelp();
      else return;
      event.preventDefault();
    });
    listing.dataset.ready = "1";
  }

  // -- similar listings: a search-index query, loaded after the page -----------
  const similar = document.getElementById("similar");
  if (similar && similar.dataset.src && similar.querySelector("a[href$='/similar']")) {
    fetch(similar.dataset.src, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then((r) => (r.ok ? r.text() : Promise.reject(r.status)))
      .then((html) => {
        const body = new DOMParser().parseFromString(html, "text/html").getElementById("similar-list");
        if (body) similar.querySelector("p, ul").replaceWith(...body.children);
        similar.dataset.loaded = "1";
      })
      .catch(() => { similar.dataset.loaded = "error"; });
  }
})();
