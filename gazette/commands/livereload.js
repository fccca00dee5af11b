// Gazette live preview. Added to HTML pages by `build.py serve` only; never in output/.
// One EventSource tells every open tab about each rebuild: reload (keeping the scroll
// position) when this page changed, swap stylesheets in place when only CSS changed,
// and show build errors over the page until they are fixed. An overlay, or an error
// page served in place of this page, goes at the next build without an error.
(() => {
  "use strict";
  const me = document.currentScript;
  const page = me ? me.dataset.page : null;
  const built = me ? Number(me.dataset.build) : 0;
  const failed = me ? me.dataset.error !== undefined : false; // an error page, not the page
  const scrollKey = "gazette-scroll:" + location.pathname;
  const overlayId = "gazette-error-overlay";

  const saved = sessionStorage.getItem(scrollKey);
  if (saved !== null) {
    sessionStorage.removeItem(scrollKey);
    const [x, y] = JSON.parse(saved);
    const restore = () => window.scrollTo(x, y);
    restore();
    if (document.readyState !== "complete") addEventListener("load", restore, { once: true });
  }

  function reload() {
    sessionStorage.setItem(scrollKey, JSON.stringify([window.scrollX, window.scrollY]));
    location.reload();
  }

  function showError(message) {
    let box = document.getElementById(overlayId);
    if (!box) {
      box = document.createElement("div");
      box.id = overlayId;
      box.setAttribute("role", "alert");
      box.style.cssText =
        "position:fixed;inset:0;z-index:2147483647;overflow:auto;margin:0;padding:2em;" +
        "background:rgba(20,20,20,.93);color:#fff;font:15px/1.5 ui-monospace,monospace;";
      const title = document.createElement("h2");
      title.textContent = "Gazette: the site did not build";
      title.style.cssText = "margin:0 0 1em;color:#ff8a80;font:bold 18px sans-serif;";
      const text = document.createElement("pre");
      text.style.cssText = "white-space:pre-wrap;margin:0;";
      const note = document.createElement("p");
      note.textContent = "Fix the file and save: this page reloads by itself.";
      note.style.cssText = "margin-top:1.5em;color:#bbb;font:14px sans-serif;";
      box.append(title, text, note);
      document.body.append(box);
    }
    box.querySelector("pre").textContent = message;
  }

  function swapStylesheets(swap) {
    for (const link of document.querySelectorAll('link[rel~="stylesheet"]')) {
      const path = new URL(link.href, location.href).pathname.replace(/^\//, "");
      const target = swap[path];
      if (!target) continue;
      const fresh = link.cloneNode();
      fresh.href = "/" + target;
      fresh.addEventListener("load", () => link.remove(), { once: true });
      fresh.addEventListener("error", () => link.remove(), { once: true });
      link.after(fresh);
    }
  }

  const events = new EventSource("/__gazette/events");
  window.gazetteLive = { connected: false };
  events.onopen = () => (window.gazetteLive.connected = true);
  events.onerror = () => (window.gazetteLive.connected = false);
  events.onmessage = (event) => {
    const message = JSON.parse(event.data);
    if (message.error) {
      showError(message.error);
      return;
    }
    if (document.getElementById(overlayId) || (failed && message.type === "build")) {
      reload();
      return;
    }
    if (message.type === "hello") {
      if (message.number !== built) reload(); // a build finished before we connected
      return;
    }
    if (message.pages === null || (page !== null && message.pages.includes(page))) {
      reload();
    } else if (message.swap) {
      swapStylesheets(message.swap);
    }
  };
  window.addEventListener("beforeunload", () => events.close());
})();
