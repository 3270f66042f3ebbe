// Installed in the console's page before its own scripts (Playwright's init script, which
// the page's policy does not govern): timestamps for bench/console_typeahead.py.
// A frame is "painted" at the first task after its requestAnimationFrame callback.
(() => {
  const probe = { keys: [], paints: [], shellPainted: null };
  window.__probe = probe;
  const afterPaint = (record) => requestAnimationFrame(() => setTimeout(() => record(performance.now())));
  const start = (event) => {
    if (!event.target.matches || !event.target.matches("#company-search")) return;
    const last = probe.keys[probe.keys.length - 1];
    // A character typed without a key of its own (e.g. "é") starts at its beforeinput.
    if (event.type === "beforeinput" && last && last.query === null) return;
    const entry = { at: performance.now(), query: null, painted: null, framed: null };
    probe.keys.push(entry);
    afterPaint((t) => { entry.framed = t; }); // the page's own next paint: the floor
  };
  document.addEventListener("keydown", start, true);
  document.addEventListener("beforeinput", start, true);
  document.addEventListener("input", (event) => {
    if (!event.target.matches || !event.target.matches("#company-search")) return;
    const last = probe.keys[probe.keys.length - 1];
    if (last && last.query === null) last.query = event.target.value.trim();
  }, true);
  const seen = new WeakSet();
  new MutationObserver(() => {
    if (probe.shellPainted === null && document.getElementById("signin-email")) {
      probe.shellPainted = -1;
      afterPaint((t) => { probe.shellPainted = t; });
    }
    const grid = document.getElementById("company-results");
    const box = document.getElementById("company-search");
    if (!grid || !box) return;
    const shown = grid.getAttribute("data-query");
    if (!shown || shown !== box.value.trim()) return;
    const first = grid.querySelector("tbody tr");
    const marker = first || grid;
    if (seen.has(marker) && grid.__shown === shown) return;
    seen.add(marker);
    grid.__shown = shown;
    const waiting = probe.keys.filter((k) => k.painted === null && k.query === shown);
    afterPaint((t) => waiting.forEach((k) => { if (k.painted === null) k.painted = t; }));
  }).observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
})();
