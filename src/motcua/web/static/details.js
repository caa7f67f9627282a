// A link to a collapsed section (<details id="…">) opens it: the dashboard's Decision 766
// points link to how each is computed, with the dossiers behind each input.
(function () {
  function openTarget() {
    var id = decodeURIComponent(location.hash.slice(1));
    var target = id && document.getElementById(id);
    if (target && target.tagName === "DETAILS") { target.open = true; }
  }
  window.addEventListener("hashchange", openTarget);
  openTarget();
})();
