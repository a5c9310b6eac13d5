// The comment form and the comments around it. Nothing here talks to anyone but this site, and
// nothing the page holds depends on the reader: the cached page is the same for everyone.
(function () {
  "use strict";

  // A fresh token: the page's signed timestamp is as old as the cached copy of the page, so when
  // the reader starts writing, one issued now replaces it (discussion/forms.py). If the request
  // fails, the page's token stays: the server then shows the form again (text kept) with one.
  function freshToken(form) {
    const url = form.dataset.tokenUrl;
    const fields = form.elements;
    if (!url || !fields.token_kind || fields.token_kind.value !== "page") {
      return; // already a token of this reader's own (a form shown again after a post)
    }
    let pending = null;

    function fetchToken() {
      if (!pending) {
        const query = "?object_pk=" + encodeURIComponent(fields.object_pk.value);
        pending = fetch(url + query, { cache: "no-store", headers: { Accept: "application/json" } })
          .then((response) => (response.ok ? response.json() : null))
          .then((token) => {
            if (token && token.token_kind) {
              ["timestamp", "security_hash", "token_kind"].forEach((name) => {
                fields[name].value = token[name];
              });
            }
          })
          .catch(() => {});
      }
      return pending;
    }

    form.addEventListener("focusin", fetchToken);
    form.addEventListener("input", fetchToken);
    let sending = false;
    form.addEventListener("submit", (event) => {
      // Sent once the token has come, failed, or kept us waiting too long (the page's token then
      // goes, and the server asks for one more send): never sent half-updated, nor twice.
      event.preventDefault();
      if (sending) {
        return;
      }
      sending = true;
      const patience = new Promise((resolve) => window.setTimeout(resolve, 8000));
      Promise.race([fetchToken(), patience]).then(() => form.submit());
    });
    // Back to this page from the browser's history (its back-forward cache): it can be sent again.
    window.addEventListener("pageshow", () => {
      sending = false;
    });
  }

  // "Remember my name and email on this device": kept in this browser's localStorage only when
  // the box is ticked, put back into the form on the next article, forgotten when it is unticked.
  const KEY = "byline.commenter";

  function rememberCommenter(form) {
    const box = form.querySelector("[data-remember-commenter]");
    let storage;
    try {
      storage = window.localStorage;
      storage.getItem(KEY);
    } catch {
      return; // storage refused (private mode, settings): the box stays hidden
    }
    if (!box || !storage) {
      return;
    }
    const checkbox = box.querySelector("input[type=checkbox]");
    const fields = ["name", "email", "url"].map((name) => form.elements[name]).filter(Boolean);
    let saved = null;
    try {
      saved = JSON.parse(storage.getItem(KEY));
    } catch {
      storage.removeItem(KEY);
    }
    if (saved && typeof saved === "object") {
      fields.forEach((field) => {
        if (!field.value && typeof saved[field.name] === "string") {
          field.value = saved[field.name];
        }
      });
      checkbox.checked = true;
    }
    box.hidden = false;

    checkbox.addEventListener("change", () => {
      if (!checkbox.checked) {
        storage.removeItem(KEY);
      }
    });
    form.addEventListener("submit", () => {
      if (checkbox.checked) {
        const details = {};
        fields.forEach((field) => {
          details[field.name] = field.value.trim();
        });
        storage.setItem(KEY, JSON.stringify(details));
      } else {
        storage.removeItem(KEY);
      }
    });
  }

  const form = document.querySelector("form.comment-form");
  if (form) {
    rememberCommenter(form); // first: its submit listener runs before the token's may hold the post
    freshToken(form);
  }

  // Facebook's comments box, loaded only when the reader asks for it: until this button is
  // clicked, nothing is requested from Facebook.
  const button = document.querySelector("[data-facebook-comments]");
  if (!button) {
    return;
  }
  button.addEventListener(
    "click",
    function () {
      const box = document.getElementById("facebook-comments-box");
      const plugin = document.createElement("div");
      plugin.className = "fb-comments";
      plugin.setAttribute("data-href", button.dataset.href);
      plugin.setAttribute("data-width", "100%");
      plugin.setAttribute("data-numposts", "10");
      box.appendChild(plugin);
      box.hidden = false;
      const root = document.createElement("div");
      root.id = "fb-root";
      document.body.appendChild(root);
      const script = document.createElement("script");
      script.async = true;
      script.crossOrigin = "anonymous";
      script.src =
        "https://connect.facebook.net/en_US/sdk.js#xfbml=1&version=v19.0&appId=" +
        encodeURIComponent(button.dataset.appId);
      document.body.appendChild(script);
      button.disabled = true;
      button.setAttribute("aria-expanded", "true");
    },
    { once: true },
  );
})();
