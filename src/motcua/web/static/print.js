// Desk receipt with automatic printing (MOTCUA_PRINT_RECEIPT=1): print form 01 once loaded.
(function () {
  var frame = document.getElementById("in-tu-dong");
  if (!frame) return;
  frame.addEventListener("load", function () {
    try { frame.contentWindow.focus(); frame.contentWindow.print(); } catch (e) { window.open(frame.src); }
  });
})();
