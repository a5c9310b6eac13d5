from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django_comments.signals import comment_was_posted

from . import notifications
from .actions import recount
from .models import Comment


@receiver(post_save, sender=Comment)
@receiver(post_delete, sender=Comment)
def keep_count(sender, instance, **kwargs):
    if instance.content_type.app_label == "blog" and instance.object_pk.isdigit():
        recount([int(instance.object_pk)])


@receiver(comment_was_posted, sender=Comment)
def tell_editors_about_held(sender, comment, request, **kwargs):
    if comment.is_held:
        notifications.comment_held(comment, comment.content_object)
