// Desk receipt with automatic printing (MOTCUA_PRINT_RECEIPT=1): print form 01 once loaded.
(function () {
  var frame = document.getElementById("in-tu-dong");
  if (!frame) return;
  frame.addEventListener("load", function () {
    try { frame.contentWindow.focus(); frame.contentWindow.print(); } catch (e) { window.open(frame.src); }
  });
})();

// "In biên nhận" and the like: print this page (no inline script: the CSP forbids it).
(function () {
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
})();
