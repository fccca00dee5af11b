// The search page: Pagefind's own interface over the index in pagefind/. Pagefind
// puts a result's URL under the folder the index was loaded from (the one holding
// pagefind/), so results work at a domain's root, under a sub-path and in the
// preview alike. A big site's index comes in parts (data-parts: their folders, past
// the first), which Pagefind merges into the first. Folders and a story's image are
// given to Pagefind as paths from the host's root: it would take a relative folder
// from its own script's, and an image relative to the result's page.
// The box takes the focus, as the masthead's Search link brings a reader here to
// type; a ?q= in the address searches at once.
(function () {
  var box = document.getElementById("search");
  if (!box || !window.PagefindUI) return;
  var root = box.getAttribute("data-root") || "./";
  var parts = (box.getAttribute("data-parts") || "").split(" ").filter(Boolean);
  function absolute(path) {
    return new URL(root + path.replace(/^\/+/, ""), window.location.href).pathname;
  }
  function local(url) {
    if (!url || /^[a-z][a-z0-9+.-]*:|^\/\//i.test(url)) return url;
    return absolute(url);
  }
  var ui = new PagefindUI({
    element: "#search",
    bundlePath: absolute("pagefind/"),
    mergeIndex: parts.map(function (part) {
      return { bundlePath: absolute(part) };
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
