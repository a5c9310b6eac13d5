"""Admin pages whose decisions are buttons, each posting to its own view that runs one workflow
transition (claim, accept, uphold, ...), used by the guest-post and the complaint queues."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse

# Change-page context for such pages: nothing is edited through the form itself.
NO_SAVE_BUTTONS = {
    "show_save": False,
    "show_save_and_continue": False,
    "show_save_and_add_another": False,
    "show_delete": False,
}


class DecisionsMixin:
    """For a ModelAdmin: `_decide()` is the body of every decision view."""

    transition_error = Exception  # the workflow's TransitionError: shown to the editor, not raised

    def _back(self, pk):
        opts = self.model._meta
        return HttpResponseRedirect(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[pk]))

    def _decide(self, request, pk, action, success, form_class=None):
        """POST only: validate the decision's form if it has one, run `action(obj, data)`, report, go back.

        `success` is the message, or a function of what `action` returned.
        """
        if request.method != "POST":
            return self._back(pk)
        obj = get_object_or_404(self.model, pk=pk)
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        data = {}
        if form_class is not None:
            form = form_class(request.POST)
            if not form.is_valid():
                errors = "; ".join(str(error) for errors in form.errors.values() for error in errors)
                self.message_user(request, errors, messages.ERROR)
                return self._back(pk)
            data = form.cleaned_data
        try:
            result = action(obj, data)
        except self.transition_error as exc:
            self.message_user(request, str(exc), messages.ERROR)
        else:
            self.message_user(request, success(result) if callable(success) else success, messages.SUCCESS)
        return self._back(pk)
