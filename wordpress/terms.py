"""WordPress categories and tags (wp:category, wp:tag, an item's terms) → blog.Category and taggit tags.

A category is matched by slug: Byline categories are flat, so a parent is remembered only
for the old /category/parent/child/ address. A tag is matched by name. Each gets redirects
from WordPress's addresses (/category/…/, /tag/…/, /?cat=, /?tag=).
"""

import dataclasses
from urllib.parse import unquote

from django.urls import reverse
from taggit.models import Tag

from blog.models import Category
from core.slugs import slugify as make_slug
from core.slugs import unique_slug

from .middleware import query_path
from .upserts import Skip, Upserts, byline_slug, digest, plain, wp_key
from .wxr import WXRCategory


class Terms(Upserts):
    """The categories and tags part of an import: wp:category and wp:tag records, and the terms items name."""

    def import_category(self, category):
        label = category.slug or category.name or "?"
        if not (category.slug or category.name):
            self.report.skip("category", label, "no slug and no name")
            return
        self._atomic("category", label, lambda: self._category(category))

    def _category(self, category):
        wp_slug = category.slug or make_slug(category.name)
        wp_id = category.wp_id or wp_key("slug", wp_slug)
        row = self._mapping("category", wp_id, wp_slug)
        source_hash = digest(dataclasses.asdict(category))
        target = self._target(row, Category)
        name = (plain(category.name) or unquote(wp_slug))[:100]
        if target is None:
            slug = byline_slug(wp_slug, name)[:100]
            if not slug:
                raise Skip("no letter or digit in its name or slug to make an address from")
            target = Category.objects.filter(slug=slug).first()
            if target is not None:
                self.report.count("category", "unchanged")
            else:
                target = Category.objects.create(
                    name=name, slug=unique_slug(Category, slug, 100), description=plain(category.description)
                )
                self.report.count("category", "created")
        elif row.source_hash == source_hash:
            self.report.count("category", "unchanged")
        else:
            target.name, target.description = name, plain(category.description)
            target.save()
            self.report.count("category", "updated")
        self._remember(row, "category", wp_id, wp_slug, target, source_hash)
        self.categories[wp_slug] = target.pk
        self.category_parents[wp_slug] = category.parent_slug
        new = target.get_absolute_url()
        self._redirect(f"/category/{self._category_path(wp_slug)}/", new)
        if category.parent_slug:
            self._redirect(f"/category/{wp_slug}/", new)
        if category.wp_id.isdigit():
            self._redirect(query_path("cat", category.wp_id), new)
        return target

    def _category_path(self, wp_slug):
        """ "parent/child" as in WordPress's address of a nested category."""
        parts, seen = [wp_slug], {wp_slug}
        parent = self.category_parents.get(wp_slug)
        while parent and parent not in seen and len(parts) < 20:
            parts.insert(0, parent)
            seen.add(parent)
            parent = self.category_parents.get(parent)
        return "/".join(parts)

    def _category_for(self, slug, name):
        """The category an item names that no wp:category declared in this file (imported before, or new);
        None, reported, for one that has no letter or digit to make an address from."""
        if not byline_slug(slug, name):
            self.report.skip("category", slug or name, "no letter or digit to make an address from")
            return None
        if slug not in self.categories:
            known = self._target(self._mapping("category", wp_key("slug", slug), slug), Category)
            if known is not None:
                self.categories[slug] = known.pk
            else:
                self._category(WXRCategory(wp_id="", slug=slug, name=name))
        return self.categories[slug]

    def import_tag(self, tag):
        label = tag.slug or tag.name or "?"
        if not (tag.slug or tag.name):
            self.report.skip("tag", label, "no slug and no name")
            return
        self._atomic("tag", label, lambda: self._tag(tag.wp_id, tag.slug, tag.name))

    def _tag(self, term_id, wp_slug, wp_name):
        wp_slug = wp_slug or make_slug(wp_name)
        wp_id = term_id or wp_key("slug", wp_slug)
        row = self._mapping("tag", wp_id, wp_slug)
        name = (plain(wp_name) or unquote(wp_slug))[:100]
        source_hash = digest(term_id, wp_slug, name)
        target = self._target(row, Tag)
        if target is None:
            target = Tag.objects.filter(name__iexact=name).first()
            if target is not None:
                self.report.count("tag", "unchanged")
            else:
                # The name's slug, else WordPress's ("🔥" with the slug "fire"); NoSlug when neither.
                target = Tag.objects.create(name=name, slug=unique_slug(Tag, name, 100, fallback=unquote(wp_slug)))
                self.report.count("tag", "created")
        elif row.source_hash == source_hash or target.name == name:
            self.report.count("tag", "unchanged")
        else:
            target.name = name
            target.save()
            self.report.count("tag", "updated")
        self._remember(row, "tag", wp_id, wp_slug, target, source_hash)
        self.tags[wp_slug] = target.pk
        new = reverse("blog:tag-detail", kwargs={"slug": target.slug})
        self._redirect(f"/tag/{wp_slug}/", new)
        self._redirect(query_path("tag", unquote(wp_slug)), new)
        return target

    def _tag_for(self, slug, name):
        """The tag an item names that no wp:tag declared in this file (imported before, or new);
        None, reported, for a term that has no letter or digit to make an address from."""
        if not byline_slug(slug, name):
            self.report.skip("tag", slug or name, "no letter or digit to make an address from")
            return None
        if slug not in self.tags:
            known = self._target(self._mapping("tag", wp_key("slug", slug), slug), Tag)
            if known is not None:
                self.tags[slug] = known.pk
            else:
                self._tag("", slug, name)
        return self.tags[slug]
