// The library's upload page: files from the picker or dropped on the zone, sent one by one
// (two at a time) to the upload endpoint, each with its progress bar and then its result:
// a new picture, one already in the library, or the reason it was refused.
(() => {
  "use strict";

  const root = document.querySelector("[data-library-upload]");
  if (!root) return;
  const input = root.querySelector('input[type="file"]');
  const zone = root.querySelector("[data-dropzone]");
  const list = root.querySelector("[data-results]");
  const title = root.querySelector("[data-results-title]");
  const after = root.querySelector("[data-after]");
  const csrf = root.querySelector('input[name="csrfmiddlewaretoken"]').value;
  const url = root.dataset.uploadUrl;
  const maxBytes = Number(root.dataset.maxBytes);
  const PARALLEL = 2;
  const queue = [];
  let running = 0;

  function sizeText(bytes) {
    if (bytes < 1024) return `${bytes} bytes`;
    if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1).replace(/\.0$/, "")} KB`;
    return `${(bytes / 1024 / 1024).toFixed(1).replace(/\.0$/, "")} MB`;
  }

  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function row(file) {
    const item = element("li", "library-result is-waiting");
    const thumb = element("img", "library-result-thumb");
    thumb.alt = "";
    thumb.width = 64;
    thumb.height = 64;
    const name = element("span", "library-result-name", file.name);
    const progress = element("progress");
    progress.max = 100;
    progress.value = 0;
    progress.setAttribute("aria-label", `Uploading ${file.name}`);
    const status = element("span", "library-result-status", `Waiting (${sizeText(file.size)})`);
    item.append(thumb, name, progress, status);
    list.append(item);
    return { item, thumb, progress, status };
  }

  function finish(view, state, message, link) {
    view.item.classList.remove("is-waiting", "is-sending");
    view.item.classList.add(state);
    view.progress.remove();
    view.status.textContent = message;
    if (link) {
      const anchor = element("a", "", link.text);
      anchor.href = link.href;
      view.status.append(" ", anchor);
    }
  }

  function showResult(view, status, body) {
    if ((status === 201 || status === 200) && body && body.id) {
      if (body.thumbnail) view.thumb.src = body.thumbnail;
      if (status === 201) {
        const next = body.alt ? "See it" : "Give it its alt text";
        finish(view, "is-done", `New picture, ${body.width} × ${body.height}.`, { href: body.admin_url, text: next });
      } else {
        finish(view, "is-duplicate", "Already in the library: kept once.", { href: body.admin_url, text: "Open it" });
      }
      after.hidden = false;
      return;
    }
    // Anything but the endpoint's JSON: the login page after a session ended, a proxy's error page.
    const reason =
      body && body.error
        ? body.error
        : `the server did not answer as expected (${status}). Reload the page (your login may have ended) and try again.`;
    finish(view, "is-error", `Not uploaded: ${reason}`);
  }

  function send(file, view) {
    return new Promise((resolve) => {
      const request = new XMLHttpRequest();
      request.open("POST", url);
      request.setRequestHeader("X-CSRFToken", csrf);
      request.setRequestHeader("Accept", "application/json");
      request.responseType = "json";
      view.item.classList.replace("is-waiting", "is-sending");
      view.status.textContent = "Uploading…";
      request.upload.addEventListener("progress", (event) => {
        if (!event.lengthComputable) return;
        const percent = Math.round((event.loaded / event.total) * 100);
        view.progress.value = percent;
        view.status.textContent = percent < 100 ? `Uploading… ${percent}%` : "Cleaning the picture…";
      });
      request.addEventListener("load", () => {
        showResult(view, request.status, request.response);
        resolve();
      });
      request.addEventListener("error", () => {
        finish(view, "is-error", "Not uploaded: the connection failed. Try again.");
        resolve();
      });
      const data = new FormData();
      data.append("file", file, file.name);
      request.send(data);
    });
  }

  function pump() {
    while (running < PARALLEL && queue.length) {
      const job = queue.shift();
      running += 1;
      send(job.file, job.view).then(() => {
        running -= 1;
        pump();
      });
    }
  }

  function add(files) {
    for (const file of files) {
      title.hidden = false;
      const view = row(file);
      if (file.size > maxBytes) {
        finish(view, "is-error", `Not uploaded: “${file.name}” is larger than ${sizeText(maxBytes)}.`);
        continue;
      }
      queue.push({ file, view });
    }
    pump();
  }

  input.addEventListener("change", () => {
    add([...input.files]);
    input.value = ""; // the same file may be chosen again
  });

  let depth = 0; // dragenter/dragleave fire for every child crossed
  zone.addEventListener("dragenter", (event) => {
    event.preventDefault();
    depth += 1;
    zone.classList.add("is-dragging");
  });
  zone.addEventListener("dragover", (event) => {
    event.preventDefault();
    event.dataTransfer.dropEffect = "copy";
  });
  zone.addEventListener("dragleave", () => {
    depth = Math.max(0, depth - 1);
    if (!depth) zone.classList.remove("is-dragging");
  });
  zone.addEventListener("drop", (event) => {
    event.preventDefault();
    depth = 0;
    zone.classList.remove("is-dragging");
    add([...event.dataTransfer.files]);
  });
  // A file dropped beside the zone would make the browser leave the page for it.
  window.addEventListener("dragover", (event) => event.preventDefault());
  window.addEventListener("drop", (event) => event.preventDefault());
})();
