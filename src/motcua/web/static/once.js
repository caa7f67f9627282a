// Disable a form's buttons once it is sent, so a double click sends it once.
// The server does not rely on this: online submissions carry an idempotency key
// and step completions carry the step they complete.
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (form.dataset.sent) { event.preventDefault(); return; }
  form.dataset.sent = "1";
  form.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
}, true);
