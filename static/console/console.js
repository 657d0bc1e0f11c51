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

// The history's exports ("Export CSV", "Export XLSX": a[data-export]) with a progress bar, in the
// box [data-export-progress] (its texts in its data attributes, translated by the page). The
// file is fetched as a stream; its number of calls comes first, in the X-Export-Rows header.
// CSV: the calls received so far are counted by their line ends (a line end inside a quoted
// cell, such as a note's, does not count). XLSX is compressed as it is written: only the bytes
// received are known, so its bar runs without a value. Exports of fewer calls than data-from
// are saved without the bar (it would only flash). Once complete, the file is saved under the
// name of its Content-Disposition. Exports of more calls than data-stream-max would take too much
// of the page's memory: they are handed to the browser's own download. Without this script (or
// without streamed responses) the links download as they are.
const exportBox = document.querySelector("[data-export-progress]");
let exporting = null; // the AbortController of the export under way
function fill(text, values) {
  return text.replace(/\{(\w+)\}/g, (m, k) => (k in values ? values[k] : m));
}
function exportName(response, link) {
  const m = /filename="([^"]+)"/.exec(response.headers.get("Content-Disposition") || "");
  return m ? m[1] : `calls.${link.dataset.export}`;
}
async function runExport(link) {
  const box = exportBox;
  const t = box.dataset;
  const lang = document.documentElement.lang || undefined;
  const number = new Intl.NumberFormat(lang);
  let mb; // a browser without unit formatting (Safari 14.0) writes the bare number
  try {
    mb = new Intl.NumberFormat(lang, { style: "unit", unit: "megabyte", maximumFractionDigits: 1 });
  } catch (e) {
    mb = new Intl.NumberFormat(lang, { maximumFractionDigits: 1 });
  }
  const panel = box.querySelector(".export-box");
  const bar = panel.querySelector("progress");
  const label = panel.querySelector(".export-label");
  const count = panel.querySelector(".export-count");
  const status = box.querySelector("[role=status]");
  const say = (text) => (status.textContent = text);
  const controller = new AbortController();
  exporting = controller;
  say("");
  try {
    const response = await fetch(link.href, { signal: controller.signal, credentials: "same-origin" });
    if (!response.ok) return say(fill(t.failedHttp, { status: response.status }));
    const total = Number(response.headers.get("X-Export-Rows"));
    // No count: not the export but another page (the sign-in page, after a redirect).
    if (!response.headers.has("X-Export-Rows") || !response.body) return say(t.failedStart);
    const name = exportName(response, link);
    if (total > Number(t.streamMax || Infinity)) {
      // Too big to hold in the page's memory: the browser downloads it itself instead (its own
      // downloads list shows the progress). This request stops here; the link's starts anew.
      controller.abort();
      const a = document.createElement("a");
      a.href = link.href;
      a.download = name;
      a.hidden = true;
      document.body.append(a);
      a.click();
      a.remove();
      return say(fill(t.direct, { total: number.format(total) }));
    }
    const csv = link.dataset.export === "csv";
    const shown = total >= Number(t.from || 0);
    label.textContent = fill(t.label, { name });
    bar.max = Math.max(total, 1);
    if (csv) bar.value = 0;
    else bar.removeAttribute("value"); // indeterminate: the size of a compressed file is unknown
    panel.hidden = !shown;
    const parts = [];
    let ends = 0; // line ends outside quoted cells: the header and each call
    let quoted = false;
    let bytes = 0;
    let drawn = 0;
    const draw = (force) => {
      const now = performance.now();
      if (!shown || (!force && now - drawn < 150)) return;
      drawn = now;
      const done = Math.min(Math.max(ends - 1, 0), total);
      if (csv) {
        bar.value = done;
        count.textContent = fill(t.rows, { done: number.format(done), total: number.format(total) });
      } else {
        count.textContent = fill(t.bytes, { size: mb.format(bytes / 1e6), total: number.format(total) });
      }
    };
    draw(true);
    const reader = response.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      parts.push(value);
      bytes += value.length;
      if (csv) {
        // UTF-8: the bytes of '"' (34) and '\n' (10) never occur inside another character.
        for (let i = 0; i < value.length; i++) {
          const b = value[i];
          if (b === 34) quoted = !quoted;
          else if (b === 10 && !quoted) ends++;
        }
      }
      draw(false);
    }
    draw(true);
    const type = response.headers.get("Content-Type") || "application/octet-stream";
    const url = URL.createObjectURL(new Blob(parts, { type }));
    const a = document.createElement("a");
    a.href = url;
    a.download = name;
    a.hidden = true;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
    const n = csv ? Math.max(ends - 1, 0) : total;
    const form = new Intl.PluralRules(lang).select(n) === "one" ? t.savedOne : t.savedOther;
    say(fill(form, { name, n: number.format(n) }));
  } catch (err) {
    say(err && err.name === "AbortError" ? t.cancelled : t.failedNetwork);
  } finally {
    const refocus = panel.contains(document.activeElement); // Cancel had the focus
    panel.hidden = true;
    exporting = null;
    if (refocus && link.isConnected) link.focus();
  }
}
if (exportBox && window.ReadableStream && window.AbortController && "body" in Response.prototype) {
  document.addEventListener("click", (e) => {
    const link = e.target.closest("a[data-export]");
    if (!link || e.button !== 0 || e.ctrlKey || e.metaKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    // One export at a time: its box says how far it is. The words are cleared first, so that a
    // screen reader says them again on another click.
    if (!exporting) return runExport(link);
    const status = exportBox.querySelector("[role=status]");
    status.textContent = "";
    setTimeout(() => (status.textContent = exportBox.dataset.busy), 100);
  });
  exportBox.querySelector("[data-export-cancel]").addEventListener("click", () => {
    if (exporting) exporting.abort();
  });
}
