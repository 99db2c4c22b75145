// The case page: follows a running evidence-pack export (polling its status) until the download link shows.
(function () {
  "use strict";
  const box = document.getElementById("pack-progress");
  if (!box) return;
  const bar = box.querySelector("progress");
  const stage = box.querySelector(".stage");
  const result = box.querySelector(".result");

  function show(s) {
    bar.max = Math.max(1, s.total);
    bar.value = s.done;
    stage.textContent = s.done + "/" + s.total + " " + (s.stage || "");
    if (s.state === "done") {
      box.dataset.state = "done";
      result.textContent = "证据包已生成：";
      const link = document.createElement("a");
      link.id = "pack-download";
      link.href = s.download_url;
      link.textContent = "下载 " + s.name;
      result.appendChild(link);
      result.classList.remove("muted");
      return true;
    }
    if (s.state === "failed") {
      box.dataset.state = "failed";
      result.textContent = s.error || "导出失败";
      result.classList.add("error");
      return true;
    }
    return false;
  }

  function poll() {
    fetch(box.dataset.status, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) throw new Error("HTTP " + r.status); return r.json(); })
      .then(function (s) { if (!show(s)) setTimeout(poll, 800); })
      .catch(function (e) { result.textContent = "无法读取导出进度（" + e.message + "），请刷新页面"; });
  }
  poll();
})();
