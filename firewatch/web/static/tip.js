// The public tip form: before it is sent, fetch a signed challenge and find a nonce whose
// SHA-256 starts with the asked number of zero bits (the server's proof of work against
// floods; no outside captcha). A static file: the CSP forbids inline script.
(function () {
  "use strict";
  const form = document.getElementById("tip-form");
  if (!form) return;
  const progress = document.getElementById("tip-progress");
  const button = document.getElementById("tip-submit");
  const encoder = new TextEncoder();

  function zeroBits(bytes) {
    let bits = 0;
    for (const b of bytes) {
      if (b === 0) { bits += 8; continue; }
      return bits + Math.clz32(b) - 24;
    }
    return bits;
  }

  async function solve(token, bits) {
    const batch = 512;
    for (let start = 0; ; start += batch) {
      const tries = [];
      for (let n = start; n < start + batch; n++) {
        tries.push(crypto.subtle.digest("SHA-256", encoder.encode(token + ":" + n)));
      }
      const digests = await Promise.all(tries);
      for (let i = 0; i < digests.length; i++) {
        if (zeroBits(new Uint8Array(digests[i])) >= bits) return String(start + i);
      }
    }
  }

  form.addEventListener("submit", async function (event) {
    event.preventDefault();
    if (!window.crypto || !crypto.subtle) {
      progress.textContent = "此浏览器无法完成防刷计算：请使用较新的浏览器，并通过 https 访问本页。";
      return;
    }
    button.disabled = true;
    progress.textContent = "正在进行防刷计算……";
    try {
      const answer = await fetch(form.dataset.challenge, { headers: { Accept: "application/json" }, credentials: "omit" });
      if (!answer.ok) throw new Error("challenge " + answer.status);
      const challenge = await answer.json();
      form.elements.challenge.value = challenge.challenge;
      form.elements.nonce.value = await solve(challenge.challenge, challenge.bits);
      progress.textContent = "正在提交……";
      form.dataset.solved = "1";
      form.submit(); // a plain post: the browser shows the receipt page (or the form with what to fix)
    } catch (err) {
      button.disabled = false;
      progress.textContent = "防刷验证获取失败，请稍后重试。";
    }
  });
})();
