"""Every reaction of the blog to a change, registered in one place (connected by BlogConfig.ready).

An article's save runs, in order:
1. `Article.save()` derives its fields (`Article.derive`: sanitized body, affiliate marks,
   plain text, reading time, publication time) and keeps its old slug answering;
2. `remember_state` (pre_save): what the cached pages showed of it before;
3. `article_saved` (post_save): the page cache refreshes the pages that showed it before and
   show it now (blog/invalidation.py), and its images' renditions are made after commit, as a
   task, when its images changed (blog/images.py);
4. `article_tags_changed`: tags added or taken away refresh their listings;
5. after commit, a task gives every picture it shows a row in the image library
   (blog/library_uses.py). A picture replaced in the library is followed by every article
   showing it, and one described anew (alt text, focal point) refreshes their pages.
Apps above the blog react in their own signals module: contributions/signals.py keeps the
article's duplicate fingerprint and follows a guest post's article to publication (its
contributor's history and emails: contributions/progress.py), both after commit, as tasks.

Status changes (publish, withdraw, take down, restore) go through blog/publishing.py; writes
without save() refresh the pages through blog/invalidation.py (`update_articles`), and a status
written without save() (a takedown, its lifting) is told to the apps above through
blog/signals.py (`article_status_changed`).

Around the articles: a renamed or removed category, author or tag, the site settings and the
footer pages change what every page shows; changed affiliate patterns re-mark every article
(a task); the page cache asks the blog for the sidebar and for the next scheduled publication
(pagecache/signals.py).
"""

from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver
from taggit.models import Tag

from core.models import Page, SiteSettings
from library import signals as library_signals
from library.models import Image as LibraryImage
from pagecache import signals as pagecache_signals

from . import invalidation, library_uses, sidebar
from .images import renditions_missing
from .models import Article, Author, Category, TaggedArticle
from .tags import clean_tag
from .tasks import catalogue_images_task, make_renditions_task, rescan_affiliate_links_task

# --- articles --------------------------------------------------------------------------------------------


@receiver(pre_save, sender=Article, dispatch_uid="blog.remember_state")
def remember_state(sender, instance, raw=False, **kwargs):
    instance._published_state = None if raw else invalidation.state_before_save(instance)


@receiver(post_save, sender=Article, dispatch_uid="blog.article_saved")
def article_saved(sender, instance, raw=False, **kwargs):
    if raw:
        return
    invalidation.article_saved(instance, getattr(instance, "_published_state", None))
    article_id = instance.pk
    if renditions_missing(instance):
        transaction.on_commit(lambda: make_renditions_task.enqueue(article_id), robust=True)
    if instance.featured_image or instance.body_images:
        # Every picture it shows gets a row in the image library (blog/library_uses.py), after commit.
        transaction.on_commit(lambda: catalogue_images_task.enqueue(article_id), robust=True)


@receiver(post_delete, sender=Article, dispatch_uid="blog.article_deleted")
def article_deleted(sender, instance, **kwargs):
    invalidation.article_deleted(instance)


@receiver(post_save, sender=TaggedArticle, dispatch_uid="blog.article_tag_added")
@receiver(post_delete, sender=TaggedArticle, dispatch_uid="blog.article_tag_removed")
def article_tags_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        invalidation.article_tags_changed(instance.content_object_id, instance.tag_id)


# --- the image library (library/signals.py) -------------------------------------------------------------


@receiver(library_signals.image_replaced, sender=LibraryImage, dispatch_uid="blog.library_image_replaced")
def library_image_replaced(sender, image, old_name, new_name, **kwargs):
    """The articles showing the old file show the new one; their renditions are made again (blog/library_uses.py)."""
    for article_id in library_uses.follow_replacement(image, old_name, new_name):
        transaction.on_commit(lambda article_id=article_id: make_renditions_task.enqueue(article_id), robust=True)


@receiver(library_signals.image_changed, sender=LibraryImage, dispatch_uid="blog.library_image_changed")
def library_image_changed(sender, image, **kwargs):
    """Alt text, caption, credit or focal point: the pages showing the picture refresh, its crops follow."""
    for article_id in library_uses.pictures_described_anew(image):
        transaction.on_commit(lambda article_id=article_id: make_renditions_task.enqueue(article_id), robust=True)


# --- names every page shows ------------------------------------------------------------------------------


@receiver(pre_save, sender=Tag, dispatch_uid="blog.tags.plain_name_and_slug")
def plain_tag(sender, instance, **kwargs):
    clean_tag(instance)  # plain names, slugs never empty, whatever the way in (blog/tags.py)


@receiver(post_save, sender=Category, dispatch_uid="blog.category_renamed")
@receiver(post_save, sender=Author, dispatch_uid="blog.author_renamed")
@receiver(post_save, sender=Tag, dispatch_uid="blog.tag_renamed")
def renamed(sender, instance, created=False, raw=False, **kwargs):
    """A name or slug every page may show (cards, menus, bylines): new ones are on no page yet."""
    if not created and not raw:
        invalidation.site_changed()


@receiver(post_delete, sender=Category, dispatch_uid="blog.category_removed")
@receiver(post_delete, sender=Author, dispatch_uid="blog.author_removed")
@receiver(post_delete, sender=Tag, dispatch_uid="blog.tag_removed")
def removed(sender, instance, **kwargs):
    invalidation.site_changed()


# --- the site settings and the footer pages (core) ------------------------------------------------------


@receiver(pre_save, sender=SiteSettings, dispatch_uid="blog.settings_before")
def remember_patterns(sender, instance, raw=False, **kwargs):
    instance._old_affiliate_patterns = (
        None
        if raw or instance._state.adding
        else SiteSettings.objects.filter(pk=instance.pk).values_list("affiliate_patterns", flat=True).first()
    )


@receiver(post_save, sender=SiteSettings, dispatch_uid="blog.settings_saved")
def settings_saved(sender, instance, raw=False, **kwargs):
    if raw:
        return
    invalidation.site_changed()  # every cached page shows the settings
    old_patterns = getattr(instance, "_old_affiliate_patterns", None)
    if old_patterns is not None and old_patterns != instance.affiliate_patterns:
        # Articles were marked with the old patterns: re-check them all once the new ones are
        # committed (a background task: it may take a while).
        transaction.on_commit(rescan_affiliate_links_task.enqueue)


@receiver(post_save, sender=Page, dispatch_uid="blog.page_saved")
@receiver(post_delete, sender=Page, dispatch_uid="blog.page_removed")
def page_changed(sender, instance, raw=False, **kwargs):
    """The page itself, and the footer menu and pages sitemap on every page."""
    if not raw:
        invalidation.site_changed()


# --- what the page cache asks (pagecache/signals.py) ----------------------------------------------------


@receiver(pagecache_signals.invalidating, dispatch_uid="blog.sidebar")
def refresh_sidebar(sender, tags, **kwargs):
    return sidebar.refresh_hook(tags)


@receiver(pagecache_signals.next_change, dispatch_uid="blog.next_publication")
def next_publication(sender, **kwargs):
    return invalidation.next_publication()
