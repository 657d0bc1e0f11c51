// Small progressive enhancements; every page works without this file.

// A form sends one request at a time. Its buttons are marked busy, not disabled: a disabled
// button loses the keyboard focus to the page body. Only the form's own requests count: a field's
// request (the call form's customer card, as the number is typed) holds nothing.
function ownForm(e) {
  const f = e.detail.elt.closest("form");
  return f && e.detail.elt === f ? f : null;
}
document.addEventListener("htmx:beforeRequest", (e) => {
  const f = ownForm(e);
  if (!f) return;
  if (f.getAttribute("aria-busy") === "true") {
    e.preventDefault();
    return;
  }
  f.setAttribute("aria-busy", "true");
  f.querySelectorAll("button[type=submit]").forEach((b) => b.setAttribute("aria-disabled", "true"));
});
document.addEventListener("htmx:afterRequest", (e) => {
  const f = ownForm(e);
  if (!f) return;
  f.removeAttribute("aria-busy");
  f.querySelectorAll("button[type=submit]").forEach((b) => b.removeAttribute("aria-disabled"));
  // Accepted, and answered elsewhere (the call form's result goes to the result area): the form's
  // errors from an earlier try are out of date.
  const target = e.detail.target;
  if (e.detail.successful && target && target !== f && !f.contains(target)) {
    f.querySelectorAll("[aria-invalid]").forEach((el) => el.removeAttribute("aria-invalid"));
    f.querySelectorAll("[id$=_error][role=alert]").forEach((el) => el.remove());
  }
});

// Keep the keyboard focus when a swap removes the focused element: on the element with the same
// id in the new content, else on a field the new content marks invalid, else on the heading of
// the new content (headings that take focus have tabindex="-1"), else where the swap happened.
let focusedId = null;
let swapped = null;
function remember(e) {
  if (e.detail.shouldSwap === false) return; // a 204: nothing changes
  const a = document.activeElement;
  if (a && a !== document.body) focusedId = a.id || "";
  if (e.type === "htmx:beforeSwap" || !swapped) swapped = e.detail.target || e.detail.elt || null;
}
function restore() {
  const id = focusedId;
  const where = swapped;
  focusedId = null;
  swapped = null;
  if (id === null) return;
  const a = document.activeElement;
  if (a && a !== document.body && a.isConnected) return; // the focus survived the swap
  const scope = where && where.isConnected ? where : document;
  const next =
    (id && document.getElementById(id)) ||
    scope.querySelector("[aria-invalid=true]") ||
    scope.querySelector("h2[tabindex='-1'], h1[tabindex='-1']") ||
    (where && where.isConnected ? where : null);
  if (next) {
    if (!next.hasAttribute("tabindex") && !next.matches("a[href], button, input, select, textarea")) {
      next.setAttribute("tabindex", "-1");
    }
    next.focus({ preventScroll: true });
  }
}
document.addEventListener("htmx:beforeSwap", remember);
document.addEventListener("htmx:oobBeforeSwap", remember);
document.addEventListener("htmx:afterSettle", restore);
document.addEventListener("htmx:oobAfterSwap", () => setTimeout(restore, 0));

// The elapsed time of a live call ([data-since]: epoch milliseconds), once a second.
function mmss(ms) {
  const s = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, "0");
  return h ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}
setInterval(() => {
  const now = Date.now();
  document.querySelectorAll("[data-since]").forEach((el) => {
    const text = mmss(now - Number(el.dataset.since));
    if (el.textContent !== text) el.textContent = text;
  });
}, 1000);

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
