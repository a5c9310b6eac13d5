"""WordPress authors (wp:author, an item's dc:creator) → blog.Author.

An author is matched by what an earlier run imported (id, then login), then by email, then
by a staff user's username; an author matched so is left as it is. Each gets redirects from
WordPress's addresses: /author/<nicename>/ and /?author=<id>.
"""

import dataclasses

from django.utils.text import slugify

from blog.models import Author
from core.slugs import unique_slug

from .middleware import query_path
from .upserts import Upserts, digest, plain, valid_email, wp_key
from .wxr import WXRAuthor


class Authors(Upserts):
    """The authors part of an import: wp:author records, and the creators items name."""

    def import_author(self, author):
        label = author.login or author.wp_id or "?"
        if not author.login:
            self.report.skip("author", label, "no wp:author_login")
            return
        self._atomic("author", label, lambda: self._author(author))

    def _author(self, author):
        wp_id = author.wp_id or wp_key("login", author.login)
        row = self._mapping("author", wp_id, author.login)
        source_hash = digest(dataclasses.asdict(author))
        target = self._target(row, Author)
        name = (plain(author.display_name) or plain(f"{author.first_name} {author.last_name}") or author.login)[:120]
        email = author.email if len(author.email) <= 254 and valid_email(author.email) else ""
        if target is None:
            target = (Author.objects.filter(email__iexact=email).first() if email else None) or Author.objects.filter(
                user__username=author.login
            ).first()
            if target is not None:
                self.report.count("author", "unchanged")
                self.report.note("author", author.login, f"matched the existing author “{target}”: left as it is")
            else:
                target = Author.objects.create(
                    name=name, slug=unique_slug(Author, author.login, 120, fallback=f"{name} author"), email=email
                )
                self.report.count("author", "created")
        elif row.source_hash == source_hash:
            self.report.count("author", "unchanged")
        else:
            target.name, target.email = name, email or target.email
            target.save()
            self.report.count("author", "updated")
        self._remember(row, "author", wp_id, author.login, target, source_hash)
        self.authors[author.login] = target.pk
        # WordPress's author address uses the user's "nicename", the login made URL-safe.
        new = target.get_absolute_url()
        self._redirect(f"/author/{slugify(author.login)}/", new)
        if author.wp_id.isdigit():
            self._redirect(query_path("author", author.wp_id), new)
        return target

    def _author_for(self, login):
        if login not in self.authors:
            self._author(WXRAuthor(wp_id="", login=login))
        return self.authors[login]
