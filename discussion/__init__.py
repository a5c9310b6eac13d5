"""Readers' comments. django-contrib-comments finds our model and form here (COMMENTS_APP)."""


def get_model():
    from .models import Comment

    return Comment


def get_form():
    from .forms import CommentForm

    return CommentForm


def get_form_target():
    from django.urls import reverse

    return reverse("discussion:post")
