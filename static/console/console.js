// Small progressive enhancements; every page works without this file.
document.addEventListener("htmx:beforeRequest", (e) => {
  const f = e.detail.elt.closest("form");
  if (f) f.querySelectorAll("button[type=submit]").forEach((b) => (b.disabled = true));
});
document.addEventListener("htmx:afterRequest", (e) => {
  const f = e.detail.elt.closest("form");
  if (f) f.querySelectorAll("button[type=submit]").forEach((b) => (b.disabled = false));
});
