// Facebook's comments box, loaded only when the reader asks for it: until this button is
// clicked, nothing is requested from Facebook.
(function () {
  "use strict";
  var button = document.querySelector("[data-facebook-comments]");
  if (!button) return;
  button.addEventListener("click", function () {
    var box = document.getElementById("facebook-comments-box");
    var plugin = document.createElement("div");
    plugin.className = "fb-comments";
    plugin.setAttribute("data-href", button.dataset.href);
    plugin.setAttribute("data-width", "100%");
    plugin.setAttribute("data-numposts", "10");
    box.appendChild(plugin);
    box.hidden = false;
    var root = document.createElement("div");
    root.id = "fb-root";
    document.body.appendChild(root);
    var script = document.createElement("script");
    script.async = true;
    script.crossOrigin = "anonymous";
    script.src = "https://connect.facebook.net/en_US/sdk.js#xfbml=1&version=v19.0&appId=" +
      encodeURIComponent(button.dataset.appId);
    document.body.appendChild(script);
    button.disabled = true;
    button.setAttribute("aria-expanded", "true");
  }, { once: true });
})();
