// Progressive enhancements of the article page: no third-party code, nothing loaded from elsewhere.
(function () {
  "use strict";

  // The contributions address is in the page reversed and base64-encoded (see
  // blog/callout.py), so that scrapers do not find it; readers get a real link.
  function decodeEmail(encoded) {
    const bytes = Uint8Array.from(atob(encoded), (char) => char.charCodeAt(0));
    return Array.from(new TextDecoder().decode(bytes)).reverse().join("");
  }

  document.querySelectorAll("[data-obfuscated-email]").forEach((element) => {
    let address;
    try {
      address = decodeEmail(element.dataset.obfuscatedEmail);
    } catch {
      return; // leave the readable "name [at] example [dot] com" text
    }
    const link = document.createElement("a");
    link.href = "mailto:" + address;
    link.textContent = address;
    element.replaceWith(link);
  });

  // Share bar: the links work without JavaScript; copy and native share need it.
  const bar = document.querySelector("[data-share-bar]");
  if (!bar) {
    return;
  }
  const status = bar.querySelector("[data-share-status]");

  function announce(message) {
    // Emptied first so that the same message is announced again on a second click.
    status.textContent = "";
    window.setTimeout(() => {
      status.textContent = message;
    }, 100);
  }

  const copyButton = bar.querySelector("[data-copy-link]");
  if (copyButton && navigator.clipboard && window.isSecureContext) {
    copyButton.hidden = false;
    copyButton.addEventListener("click", () => {
      const url = copyButton.dataset.copyLink;
      navigator.clipboard.writeText(url).then(
        () => announce(bar.dataset.copied),
        () => announce(bar.dataset.copyFailed + " " + url),
      );
    });
  }

  const shareButton = bar.querySelector("[data-native-share]");
  if (shareButton && typeof navigator.share === "function") {
    shareButton.hidden = false;
    shareButton.addEventListener("click", () => {
      // Rejected with AbortError when the reader closes the share sheet: nothing to do.
      navigator.share({ title: shareButton.dataset.title, url: shareButton.dataset.url }).catch(() => {});
    });
  }
})();
