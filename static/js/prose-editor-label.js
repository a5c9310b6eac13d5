// The rich-text editor of the guest-post forms (django-prose-editor) replaces its <textarea>
// with an editable <div role="textbox"> that has no accessible name: screen readers announced
// "edit text" and nothing else. Give it the textarea's label and help text, and let a click on
// the label put the cursor in the editor, as it did for the textarea.
(function () {
  "use strict";
  document.addEventListener("prose-editor:ready", (event) => {
    const { editor, textarea } = event.detail;
    const editable = editor && editor.view && editor.view.dom;
    const label = textarea.id && document.querySelector(`label[for="${textarea.id}"]`);
    if (!editable || !label) {
      return;
    }
    label.id = label.id || `${textarea.id}_label`;
    editable.setAttribute("aria-labelledby", label.id);
    editable.setAttribute("aria-multiline", "true");
    const description = textarea.getAttribute("aria-describedby");
    if (description) {
      editable.setAttribute("aria-describedby", description);
    }
    label.addEventListener("click", (click) => {
      click.preventDefault();
      editable.focus();
    });
  });
})();
