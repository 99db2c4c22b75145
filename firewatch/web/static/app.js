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
  const DONE = { confirm: "已确认", dismiss: "已排除", escalate: "已升级" };

  async function post(url, fields) {
    const body = new URLSearchParams(Object.assign({ csrf_token: csrf }, fields));
    const response = await fetch(url, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRF-Token": csrf },
    });
    let data = {};
    try { data = await response.json(); } catch (e) { data = {}; }
    if (!response.ok) throw new Error(data.error || response.statusText);
    return data;
  }

  // -- the review queue -------------------------------------------------------
  const queue = document.getElementById("queue");
  if (queue) {
    const note = document.getElementById("triage-note");
    const all = () => Array.from(queue.querySelectorAll("tbody tr[data-key]"));
    const rows = () => all().filter((r) => !r.classList.contains("done"));
    const undone = [];  // decision ids made on this page, newest last: z undoes them in turn
    let index = 0;
    function select(i, focus) {
      const open = rows();
      all().forEach((r) => r.classList.remove("sel"));
      if (!open.length) { index = 0; return; }
      index = Math.max(0, Math.min(i, open.length - 1));
      open[index].classList.add("sel");
      open[index].scrollIntoView({ block: "nearest" });
      if (focus) open[index].focus({ preventScroll: true });
    }
    function showDone(row, verdict, decisionId) {
      row.classList.remove("sel");
      row.classList.add("done");
      row.dataset.verdict = verdict;
      row.dataset.decision = decisionId;
      const cell = row.querySelector(".verdict");
      cell.textContent = "";
      const label = document.createElement("span");
      label.className = "v-" + verdict;
      label.textContent = DONE[verdict];
      cell.append(label);
      const pick = row.querySelector("input.pick");
      if (pick) { pick.checked = false; pick.disabled = true; }
      countPicked();
    }
    async function decide(verdict, row) {
      row = row || rows()[index];
      if (!row || row.dataset.busy) return;
      row.dataset.busy = "1";
      const position = rows().indexOf(row);
      try {
        const seen = row.querySelector('input[name="assessed_at"]');  // the assessment this row showed
        const data = await post(row.dataset.decide, { verdict: verdict, note: note ? note.value : "",
                                                      assessed_at: seen ? seen.value : "" });
        showDone(row, verdict, data.decision_id);
        undone.push(row);
        placeUndo();
        if (note) note.value = "";
        say("已记录：" + NAMES[verdict]);
        select(position < 0 ? index : position, true);
      } catch (err) {
        say("保存失败：" + err.message);
      } finally {
        delete row.dataset.busy;
      }
    }
    async function undoDecision(row) {
      if (!row || !row.dataset.decision) return;
      try {
        await post("/decisions/undo", { decision_id: row.dataset.decision });
        row.classList.remove("done");
        delete row.dataset.decision;
        delete row.dataset.verdict;
        row.querySelector(".verdict").textContent = "";
        const pick = row.querySelector("input.pick");
        if (pick) pick.disabled = false;
        const at = undone.indexOf(row);
        if (at >= 0) undone.splice(at, 1);
        placeUndo();
        say("已撤销");
        select(rows().indexOf(row), true);
      } catch (err) {
        say("撤销失败：" + err.message);
      }
    }
    function placeUndo() {
      // only the reviewer's last decision can be undone: its row carries the button
      queue.querySelectorAll("button.undo-one").forEach((b) => b.remove());
      const row = undone[undone.length - 1];
      if (!row) return;
      const undo = document.createElement("button");
      undo.type = "button";
      undo.className = "undo-one";
      undo.textContent = "撤销";
      undo.title = "撤销这条结论 (z)";
      undo.addEventListener("click", () => undoDecision(row));
      row.querySelector(".verdict").append(" ", undo);
    }
    function undoLast() {
      if (undone.length) return undoDecision(undone[undone.length - 1]);
      const form = document.getElementById("undo-last");
      if (form) form.requestSubmit();
      else say("没有可撤销的结论");
    }
    // mouse decisions: the same request as the keys, the row stays with its verdict and an undo
    queue.addEventListener("submit", (event) => {
      const form = event.target.closest("form.decide");
      if (!form || !event.submitter) return;
      event.preventDefault();
      decide(event.submitter.value, form.closest("tr[data-key]"));
    });
    // bulk selection: checkboxes, select all on the page, shift-click for a range
    const picks = () => all().map((r) => r.querySelector("input.pick")).filter((p) => p && !p.disabled);
    const counter = document.getElementById("bulk-count");
    const pageBox = document.getElementById("select-page");
    function countPicked() {
      const n = picks().filter((p) => p.checked).length;
      if (counter) counter.textContent = String(n);
      if (pageBox) pageBox.checked = n > 0 && n === picks().length;
    }
    let lastPick = null;
    queue.addEventListener("click", (event) => {
      const box = event.target.closest("input.pick");
      if (box) {
        const list = picks();
        if (event.shiftKey && lastPick && list.includes(lastPick)) {
          const [a, b] = [list.indexOf(lastPick), list.indexOf(box)].sort((x, y) => x - y);
          for (let i = a; i <= b; i++) list[i].checked = box.checked;
        }
        lastPick = box;
        countPicked();
        return;
      }
      const tr = event.target.closest("tr[data-key]");
      if (tr && !event.target.closest("a, button, input")) select(rows().indexOf(tr));
    });
    if (pageBox) pageBox.addEventListener("change", () => { picks().forEach((p) => { p.checked = pageBox.checked; }); countPicked(); });
    const bulk = document.getElementById("bulk");
    if (bulk) bulk.addEventListener("submit", (event) => {
      if (!picks().some((p) => p.checked)) { event.preventDefault(); say("请先勾选要处理的商品"); }
    });
    document.addEventListener("keydown", (event) => {
      if (event.ctrlKey || event.metaKey || event.altKey) return;
      if (typing(event)) {
        if (event.key === "Escape") event.target.blur();
        return;
      }
      const open = rows();
      if (event.key === "j") select(index + 1);
      else if (event.key === "k") select(index - 1);
      else if ((event.key === "o" || event.key === "Enter") && open[index]) window.location = open[index].dataset.href;
      else if (VERDICTS[event.key]) decide(VERDICTS[event.key]);
      else if (event.key === "x" && open[index]) {
        const box = open[index].querySelector("input.pick");
        if (box) { box.checked = !box.checked; lastPick = box; countPicked(); }
      } else if (event.key === "z") undoLast();
      else if (event.key === "n" && note) { note.focus(); }
      else if (event.key === "?") toggleHelp();
      else return;
      event.preventDefault();
    });
    select(0);
    countPicked();
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

  // -- the trends page's review section (/trends/reviews): counted in SQL, loaded after the page --
  const reviews = document.getElementById("review-trends");
  if (reviews && reviews.dataset.src) {
    fetch(reviews.dataset.src, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then((r) => (r.ok ? r.text() : Promise.reject(r.status)))
      .then((html) => {
        const body = new DOMParser().parseFromString(html, "text/html").getElementById("review-trends");
        if (!body) return Promise.reject("missing");
        body.dataset.loaded = "1";
        reviews.replaceWith(document.importNode(body, true));
      })
      .catch(() => { reviews.dataset.loaded = "error"; });
  }
})();
