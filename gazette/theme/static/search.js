// The search page: Pagefind's own interface over the index in pagefind/. Pagefind
// puts a result's URL under the folder the index was loaded from, so results work
// at a domain's root, under a sub-path and in the preview alike; a story's image,
// which Pagefind passes on as the site gave it, is made relative to this page.
// A big site's index comes in parts (data-parts: their folders, past the first),
// which Pagefind merges into the first; each is given as a path from the host's
// root, as Pagefind finds the site's folder in it (the part before "pagefind/").
// The box takes the focus, as the masthead's Search link brings a reader here to
// type; a ?q= in the address searches at once.
(function () {
  var box = document.getElementById("search");
  if (!box || !window.PagefindUI) return;
  var root = box.getAttribute("data-root") || "./";
  var parts = (box.getAttribute("data-parts") || "").split(" ").filter(Boolean);
  function local(url) {
    if (!url || /^[a-z][a-z0-9+.-]*:|^\/\//i.test(url)) return url;
    return root + url.replace(/^\/+/, "");
  }
  var ui = new PagefindUI({
    element: "#search",
    bundlePath: root + "pagefind/",
    mergeIndex: parts.map(function (part) {
      return { bundlePath: new URL(root + part, window.location.href).pathname };
    }),
    showImages: true,
    showSubResults: false,
    autofocus: true,
    debounceTimeoutMs: 150,
    resetStyles: false,
    processResult: function (result) {
      if (result.meta && result.meta.image) result.meta.image = local(result.meta.image);
      return result;
    }
  });
  var query = new URLSearchParams(window.location.search).get("q");
  if (query) ui.triggerSearch(query);
})();
