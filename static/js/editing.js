// Work is never lost in an admin change form with editing.admin.EditingMixin (editing/admin.py):
// - autosave: ~3 s after the last input (fields, and the rich-text editor, which copies its
//   content into its <textarea> and fires "input" there), the form is posted as JSON to the
//   user's autosaved copy; "Saved a copy at 14:02" is announced politely;
// - leaving with unsaved changes asks first (beforeunload), not after a submit;
// - a copy that differs from the form is offered on load: "Restore" fills every field again
//   (the rich-text editor too, through its editor instance), "Discard" deletes it;
// - presence: a heartbeat tells who else has the form open, and the page says so.
(function () {
  "use strict";

  // The rich-text editors announce themselves before the page has loaded: listen at once.
  const proseEditors = new Map();
  document.addEventListener("prose-editor:ready", (event) => {
    proseEditors.set(event.detail.textarea, event.detail.editor);
  });

  function proseEditorOf(textarea) {
    if (proseEditors.has(textarea)) {
      return proseEditors.get(textarea);
    }
    const editable = textarea.closest(".prose-editor")?.querySelector(".ProseMirror");
    return editable?.editor || null; // Tiptap keeps its editor on the editable element
  }

  const SKIPPED_TYPES = new Set(["file", "submit", "button", "reset", "image"]);

  function namedElements(form) {
    return [...form.elements].filter(
      (el) =>
        el.name &&
        !el.disabled &&
        el.name !== "csrfmiddlewaretoken" &&
        !el.name.includes("__prefix__") && // the empty form of an inline formset
        !SKIPPED_TYPES.has(el.type),
    );
  }

  // The form as {fields: {name: [values]}, labels: {select name: {value: text}}}; an unchecked
  // box is an empty list, so that restoring unchecks it.
  function serialize(form) {
    const fields = {};
    const labels = {};
    for (const el of namedElements(form)) {
      const values = (fields[el.name] ||= []);
      if (el.type === "checkbox" || el.type === "radio") {
        if (el.checked) values.push(el.value);
      } else if (el.tagName === "SELECT") {
        for (const option of el.selectedOptions) {
          values.push(option.value);
          (labels[el.name] ||= {})[option.value] = option.text;
        }
      } else {
        values.push(el.value);
      }
    }
    return { fields, labels };
  }

  function differingNames(copy, current, ignored) {
    return Object.keys(copy.fields).filter(
      (name) =>
        name !== ignored &&
        name in current.fields &&
        JSON.stringify(copy.fields[name]) !== JSON.stringify(current.fields[name]),
    );
  }

  function fill(form, copy) {
    const position = {};
    for (const el of namedElements(form)) {
      const values = copy.fields[el.name];
      if (values === undefined) continue;
      if (el.type === "checkbox" || el.type === "radio") {
        el.checked = values.includes(el.value);
      } else if (el.tagName === "SELECT") {
        const present = new Set([...el.options].map((option) => option.value));
        for (const value of values) {
          if (!present.has(value)) {
            // An autocomplete select only holds the options chosen when the page was made.
            const text = copy.labels?.[el.name]?.[value] || value;
            el.add(new Option(text, value));
          }
        }
        for (const option of el.options) option.selected = values.includes(option.value);
      } else {
        const index = (position[el.name] = (position[el.name] ?? -1) + 1);
        const value = values[index] ?? "";
        el.value = value;
        const editor = el.tagName === "TEXTAREA" ? proseEditorOf(el) : null;
        if (editor) editor.commands.setContent(value);
      }
      el.dispatchEvent(new Event("change", { bubbles: true })); // select2 and others follow
    }
  }

  function start() {
    const panel = document.getElementById("editing");
    const form = panel?.closest("form");
    if (!form) return;
    const csrf = form.querySelector("[name=csrfmiddlewaretoken]")?.value || "";
    const status = document.getElementById("editing-status");
    const delay = Number(panel.dataset.delayMs) || 3000;
    const versionName = [...form.elements].find((el) => el.name.endsWith("editing_version"))?.name;
    const key = (state) => JSON.stringify(state.fields);

    // A form shown again with errors holds what was typed, not what is stored.
    const loadedState = serialize(form);
    const loaded = key(loadedState);
    const startsUnsaved = document.querySelector(".errornote") !== null;
    let lastCopied = startsUnsaved ? null : loaded;
    let submitting = false;
    let timer = null;

    const say = (text) => {
      status.textContent = text;
    };
    const unsaved = () => !submitting && (startsUnsaved || key(serialize(form)) !== loaded);

    function post(url, body, contentType, keepalive = false) {
      const headers = { "X-CSRFToken": csrf };
      if (contentType) headers["Content-Type"] = contentType;
      return fetch(url, { method: "POST", headers, body, credentials: "same-origin", keepalive });
    }

    async function autosave(keepalive = false) {
      clearTimeout(timer);
      timer = null;
      const state = serialize(form);
      if (submitting || key(state) === lastCopied) return;
      const sent = key(state);
      try {
        const response = await post(panel.dataset.autosaveUrl, JSON.stringify(state), "application/json", keepalive);
        const answer = await response.json().catch(() => ({}));
        if (!response.ok) throw new Error(answer.error || `${response.status} ${response.statusText}`);
        lastCopied = sent;
        say(answer.message);
      } catch (error) {
        say(`${panel.dataset.failedMessage} ${error.message}`);
      }
    }

    function changed() {
      if (submitting) return;
      clearTimeout(timer);
      timer = setTimeout(autosave, delay);
    }
    form.addEventListener("input", changed);
    form.addEventListener("change", changed);
    form.addEventListener("submit", () => {
      submitting = true;
      clearTimeout(timer);
      // Which inputs were changed here: a save refused as stale shows the other editor's value
      // in the fields this user left alone (editing/versions.py).
      if (versionName) {
        const touched = form.elements[versionName.replace(/editing_version$/, "editing_touched")] ||
          form.appendChild(Object.assign(document.createElement("input"), {
            type: "hidden",
            name: versionName.replace(/editing_version$/, "editing_touched"),
          }));
        touched.value = JSON.stringify(differingNames(serialize(form), loadedState, versionName));
      }
    });

    window.addEventListener("beforeunload", (event) => {
      if (!unsaved()) return;
      event.preventDefault();
      event.returnValue = ""; // older browsers ask only when this is set
    });
    // Leaving or hiding the tab: the copy is written now, not 3 s later.
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "hidden" && timer !== null) autosave(true);
    });

    // A form refused (a stale save, an error) holds what was typed: keep it as the copy at once.
    if (startsUnsaved) autosave();

    // The offer of an autosaved copy, when it differs from the form.
    const banner = document.getElementById("editing-banner");
    const copyScript = document.getElementById("editing-copy");
    if (banner && copyScript) {
      const copy = JSON.parse(copyScript.textContent);
      if (differingNames(copy, serialize(form), versionName).length > 0) {
        banner.hidden = false;
      }
      banner.querySelector("[data-editing-restore]").addEventListener("click", () => {
        fill(form, copy);
        lastCopied = key(serialize(form));
        banner.remove();
        say(panel.dataset.restoredMessage);
      });
      banner.querySelector("[data-editing-discard]").addEventListener("click", async (event) => {
        event.currentTarget.disabled = true;
        try {
          const response = await post(panel.dataset.discardUrl, "", null);
          const answer = await response.json().catch(() => ({}));
          if (!response.ok) throw new Error(answer.error || `${response.status} ${response.statusText}`);
          banner.remove();
          say(answer.message);
        } catch (error) {
          event.currentTarget.disabled = false;
          say(error.message);
        }
      });
    }

    // Presence: who else has this form open.
    const presenceUrl = panel.dataset.presenceUrl;
    const presence = document.getElementById("editing-presence");
    if (presenceUrl && presence) {
      const beat = (leaving) => {
        const body = new FormData();
        body.append("csrfmiddlewaretoken", csrf);
        if (leaving) {
          body.append("leaving", "1");
          navigator.sendBeacon(presenceUrl, body);
          return;
        }
        post(presenceUrl, body, null)
          .then((response) => (response.ok ? response.json() : null))
          .then((answer) => {
            if (!answer) return;
            presence.textContent = answer.message;
            presence.hidden = !answer.message;
          })
          .catch(() => {}); // offline for a moment: the next heartbeat tries again
      };
      const seconds = Number(panel.dataset.heartbeatSeconds) || 20;
      setInterval(() => beat(false), seconds * 1000);
      window.addEventListener("pagehide", () => beat(true));
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
