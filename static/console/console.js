// Small progressive enhancements; every page works without this file.

// While an htmx form is sent its submit buttons are disabled (no double submit). Disabling the
// focused button, or swapping it out, would drop keyboard focus to the page body: it goes back to
// that button (or the one with its id in the new content), else to the swapped-in content.
let focusBefore = null;
document.addEventListener("htmx:beforeRequest", (e) => {
  focusBefore = document.activeElement;
  const f = e.detail.elt.closest("form");
  if (f) f.querySelectorAll("button[type=submit]").forEach((b) => (b.disabled = true));
});
function focusLost() {
  return !document.activeElement || document.activeElement === document.body;
}
function restoreFocus(target) {
  const before = focusBefore;
  if (!before || before === document.body || !focusLost()) return;
  let to = before.isConnected ? before : before.id && document.getElementById(before.id);
  if (!to && target && target.isConnected) {
    to = target.querySelector("button, a[href], input, select, textarea") || target;
    if (to === target && !target.hasAttribute("tabindex")) target.setAttribute("tabindex", "-1");
  }
  if (to) to.focus();
}
document.addEventListener("htmx:afterRequest", (e) => {
  const f = e.detail.elt.closest("form");
  if (f) f.querySelectorAll("button[type=submit]").forEach((b) => (b.disabled = false));
  restoreFocus(e.detail.target);
});
document.addEventListener("htmx:afterSettle", (e) => {
  restoreFocus(e.detail.target);
  focusBefore = null;
});

// "Copy" buttons: <button type="button" data-copy="id-of-an-input" hidden>, shown only when this
// file runs; they copy the input's value and say so in the element "<id>-copied".
document.querySelectorAll("button[data-copy][hidden]").forEach((b) => (b.hidden = false));
document.addEventListener("click", (e) => {
  const button = e.target.closest("button[data-copy]");
  if (!button) return;
  const source = document.getElementById(button.dataset.copy);
  const status = document.getElementById(button.dataset.copy + "-copied");
  if (!source) return;
  const say = (key) => status && (status.textContent = status.dataset[key]);
  source.select();
  if (!navigator.clipboard) return say("select"); // not a secure context: selected for Ctrl-C
  navigator.clipboard.writeText(source.value).then(
    () => say("done"),
    () => say("select"),
  );
});

// A recording that cannot be played (AICC has none, or could not be reached): show the link to
// the page that says why.
document.addEventListener(
  "error",
  (e) => {
    if (e.target.tagName !== "AUDIO" && e.target.tagName !== "SOURCE") return;
    const audio = e.target.closest("audio");
    const why = audio && document.getElementById(audio.dataset.failure);
    if (why) why.hidden = false;
  },
  true,
);
