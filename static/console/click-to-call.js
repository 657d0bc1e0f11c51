// The call page's "Call from other pages" card (templates/calls/_click_to_call.html): make this
// browser open tel: links in the call form (navigator.registerProtocolHandler), and keep a click
// on the bookmarklet, meant to be dragged to the bookmarks bar, from running here.
(function () {
  "use strict";
  const status = document.getElementById("anywhere-status");
  const say = (text) => {
    if (status) status.textContent = text || "";
  };
  const button = document.getElementById("register-tel");
  if (button) {
    if (typeof navigator.registerProtocolHandler !== "function") {
      button.disabled = true;
      say(button.dataset.unsupported);
    } else {
      button.addEventListener("click", () => {
        try {
          // The browser puts the whole tel: URL, escaped, in place of %s; the deep link reads it.
          navigator.registerProtocolHandler("tel", `${location.origin}${button.dataset.path}?called=%s`);
          say(button.dataset.asked);
        } catch (e) {
          say(button.dataset.failed);
        }
      });
    }
  }
  const bookmarklet = document.getElementById("bookmarklet");
  if (bookmarklet) {
    bookmarklet.addEventListener("click", (e) => {
      e.preventDefault();
      say(bookmarklet.dataset.hint);
    });
  }
})();
