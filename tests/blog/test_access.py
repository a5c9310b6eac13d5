"""Who can reach unpublished articles: nobody at their address, whoever holds a valid signed
preview link, and editors in the admin. Unpublished articles leak through no listing, feed,
sitemap, search or sidebar."""

import datetime
import re
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from blog import previews
from blog.models import Article
from blog.previews import make_preview_token, preview_url
from tests.factories import ArticleFactory, AuthorFactory, CategoryFactory, DraftFactory, UserFactory

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "reader", "staff", "writer", "editor"]

HIDDEN = {
    "draft": {"status": Article.Status.DRAFT, "published_at": None},
    "review": {"status": Article.Status.REVIEW, "published_at": None},
    "scheduled": {"published_at": timezone.now() + datetime.timedelta(days=2)},
    "withdrawn": {"status": Article.Status.WITHDRAWN},
    "taken_down": {"status": Article.Status.TAKEN_DOWN},
}


def secret(kind):
    """A word found nowhere but in the hidden article of `kind` (one search token, no stemming surprises)."""
    return "zq" + kind.replace("_", "") + "secret"


def log_in(client, role):
    """`client` signed in as `role` (see ROLES), or left anonymous. Returns the user or None."""
    if role == "anonymous":
        return None
    user = UserFactory(is_staff=role != "reader")
    if role in ("writer", "editor"):
        user.groups.add(Group.objects.get(name="Authors" if role == "writer" else "Editors"))
        AuthorFactory(user=user)
    client.force_login(user)
    return user


def hidden_article(kind, **extra):
    word = secret(kind)
    fields = {
        "title": f"The {word} story",
        "slug": f"{word}-slug",
        "standfirst": f"All about {word}.",
        "body": f"<p>The harbour and {word} in the body.</p>",
        **HIDDEN[kind],
        **extra,
    }
    return ArticleFactory(**fields)


# --- at the article's own address ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("kind", ["draft", "review", "scheduled", "withdrawn"])
def test_unpublished_articles_are_404_for_everyone_at_their_address(client, role, kind):
    article = hidden_article(kind)
    log_in(client, role)

    response = client.get(article.get_absolute_url())

    assert response.status_code == 404
    page = response.content.decode()  # the address itself, slug and all, may be echoed
    assert f"The {secret(kind)} story" not in page
    assert f"All about {secret(kind)}" not in page


@pytest.mark.parametrize("role", ROLES)
def test_taken_down_articles_answer_451_without_their_text(client, role):
    article = hidden_article("taken_down", body="<p>Only in the body: zqbodyonly.</p>")
    log_in(client, role)

    response = client.get(article.get_absolute_url())

    assert response.status_code == 451
    assert "zqbodyonly" not in response.content.decode()


def test_a_former_slug_of_a_draft_redirects_nowhere(client):
    draft = hidden_article("draft")
    draft.slug = "renamed-draft"
    draft.save()

    response = client.get(
        reverse("blog:article-detail", kwargs={"year": 2025, "month": "01", "slug": secret("draft") + "-slug"})
    )

    assert response.status_code == 404  # a redirect would name the draft's new address


# --- the signed preview link -------------------------------------------------------------------------------


def test_editors_get_the_preview_link_from_the_admin_and_anyone_holding_it_sees_the_draft(client, editor_client):
    draft = hidden_article("draft")
    page = editor_client.get(reverse("admin:blog_article_change", args=[draft.pk])).content.decode()
    (link,) = set(re.findall(r'href="(/preview/[^"]+/)"', page))

    client.logout()
    response = client.get(link)

    assert response.status_code == 200
    assert response.context["article"] == draft


def test_the_admin_page_shows_one_preview_link_when_the_clock_ticks_while_it_renders(editor_client, monkeypatch):
    """Found by CI: the link is signed with the current second, and the page signed it twice."""
    draft = hidden_article("draft")
    seconds = iter(range(1_800_000_000, 1_800_001_000))
    monkeypatch.setattr(signing.time, "time", lambda: next(seconds))  # every reading a second later
    page = editor_client.get(reverse("admin:blog_article_change", args=[draft.pk])).content.decode()
    monkeypatch.undo()
    assert len(set(re.findall(r'href="(/preview/[^"]+/)"', page))) == 1


def other_signature(token, **dumps_kwargs):
    """`token`'s payload with the signature of another signing (another key, salt or payload)."""
    forged = signing.dumps({"pk": 1, "slug": "x"}, **dumps_kwargs)
    return token.rsplit(":", 1)[0] + ":" + forged.rsplit(":", 1)[1]


def bad_tokens(draft, other):
    token = make_preview_token(draft)
    payload, timestamp, signature = token.rsplit(":", 2)
    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]
    return {
        "garbage": "not-a-token",
        "signature-flipped": f"{payload}:{timestamp}:{flipped}",
        "signature-cut": token[:-1],
        "signature-missing": f"{payload}:{timestamp}",
        "other-article-payload": make_preview_token(other).split(":", 1)[0] + ":" + token.split(":", 1)[1],
        "later-timestamp": f"{payload}:{signing.b62_encode(signing.b62_decode(timestamp) + 3600)}:{signature}",
        "other-salt": signing.dumps({"pk": draft.pk, "slug": draft.slug}, compress=True),
        "other-salt-signature": other_signature(token, salt="django.contrib.sessions.SessionStore"),
        "other-key": signing.dumps({"pk": draft.pk, "slug": draft.slug}, key="another-key", salt=previews.SALT),
        "no-timestamp": signing.Signer(salt=previews.SALT).sign_object({"pk": draft.pk, "slug": draft.slug}),
    }


BAD_TOKENS = [
    "garbage",
    "signature-flipped",
    "signature-cut",
    "signature-missing",
    "other-article-payload",
    "later-timestamp",
    "other-salt",
    "other-salt-signature",
    "other-key",
    "no-timestamp",
]


@pytest.mark.parametrize("name", BAD_TOKENS)
def test_a_preview_link_that_is_not_exactly_as_signed_is_404(client, name):
    draft = hidden_article("draft")
    other = DraftFactory(title="Another draft zqotherdraft")
    token = bad_tokens(draft, other)[name]

    response = client.get(reverse("blog:article-preview", kwargs={"token": token}))

    assert response.status_code == 404
    page = response.content.decode()
    assert secret("draft") not in page
    assert "zqotherdraft" not in page


@pytest.mark.parametrize("role", ROLES)
def test_no_role_makes_a_bad_preview_link_work(client, role):
    draft = hidden_article("draft")
    log_in(client, role)
    token = bad_tokens(draft, DraftFactory())["signature-flipped"]

    assert client.get(reverse("blog:article-preview", kwargs={"token": token})).status_code == 404


def test_preview_address_without_a_token_is_404(client):
    hidden_article("draft")

    assert client.get("/preview/").status_code == 404
    assert client.get("/preview/%20/").status_code == 404


def test_a_link_shows_only_the_article_it_was_made_for(client):
    first = hidden_article("draft")
    DraftFactory(title="Second zqseconddraft")

    response = client.get(preview_url(first))

    assert response.context["article"] == first
    assert "zqseconddraft" not in response.content.decode()


def test_a_validly_signed_link_naming_another_articles_slug_is_404(client):
    draft, other = hidden_article("draft"), DraftFactory()
    token = signing.dumps({"pk": other.pk, "slug": draft.slug}, salt=previews.SALT, compress=True)

    assert client.get(reverse("blog:article-preview", kwargs={"token": token})).status_code == 404


def test_a_link_to_a_deleted_article_is_404(client):
    draft = hidden_article("draft")
    url = preview_url(draft)
    draft.delete()

    assert client.get(url).status_code == 404


def test_links_expire_after_the_configured_age(client, settings, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    settings.BYLINE_PREVIEW_MAX_AGE = 3600
    url = preview_url(hidden_article("draft"))

    time_machine.shift(datetime.timedelta(seconds=3599))
    assert client.get(url).status_code == 200
    time_machine.shift(datetime.timedelta(seconds=2))
    assert client.get(url).status_code == 404


def test_preview_signatures_are_256_bit_hmacs_checked_in_constant_time(client, monkeypatch):
    draft = hidden_article("draft")
    token = make_preview_token(draft)
    signature = token.rsplit(":", 1)[1]
    assert len(signing.b64_decode(signature.encode())) == 32  # HMAC-SHA256: 256 bits
    assert set(signature) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    compared = []
    real_compare = signing.constant_time_compare

    def spy(a, b):
        compared.append((a, b))
        return real_compare(a, b)

    monkeypatch.setattr(signing, "constant_time_compare", spy)

    assert client.get(preview_url(draft)).status_code == 200
    assert signature in {str(a) for a, _b in compared} | {str(b) for _a, b in compared}
    compared.clear()
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    assert client.get(reverse("blog:article-preview", kwargs={"token": forged})).status_code == 404
    assert compared  # refused by the constant-time comparison, not by anything shorter


# --- listings, feeds, sitemaps, search, sidebar and neighbours ------------------------------------------


@pytest.fixture
def site(db):
    """One live article, and one hidden article of every kind next to it in every listing."""
    author, category = AuthorFactory(name="Shared Author"), CategoryFactory(name="Shared")
    now = timezone.now()
    live = ArticleFactory(
        title="The harbour at dawn",
        body="<p>The harbour is quiet.</p>",
        author=author,
        category=category,
        tags=["shared-topic"],
        published_at=now - datetime.timedelta(hours=3),
    )
    hidden = {}
    for number, kind in enumerate(HIDDEN):
        extra = {"author": author, "category": category, "tags": ["shared-topic", secret(kind)]}
        if kind in ("withdrawn", "taken_down"):  # right next to the live one: previous/next candidates
            extra["published_at"] = now - datetime.timedelta(hours=2, minutes=number)
        hidden[kind] = hidden_article(kind, **extra)
    # A draft alone in its category and by its own author: neither may show up in the sidebar or sitemaps.
    DraftFactory(
        title="zqlonelydraftsecret",
        category=CategoryFactory(name="Zqcategorysecret", slug="zqcategorysecret"),
        author=AuthorFactory(name="Zqauthorsecret", slug="zqauthorsecret"),
    )
    return live, hidden


SECRETS = [*(secret(kind) for kind in HIDDEN), "zqlonelydraftsecret", "zqcategorysecret", "zqauthorsecret"]


def public_pages(client, live):
    category, author = live.category.slug, live.author.slug
    months = {
        (when.year, when.month)
        for when in Article.objects.exclude(published_at=None).values_list("published_at", flat=True)
        if when <= timezone.now()
    }
    pages = [
        reverse("blog:home"),
        live.get_absolute_url(),
        live.category.get_absolute_url(),
        reverse("blog:tag-detail", kwargs={"slug": "shared-topic"}),
        live.author.get_absolute_url(),
        reverse("blog:search") + "?q=harbour",
        reverse("blog:feed"),
        reverse("blog:feed-atom"),
        reverse("blog:category-feed", kwargs={"slug": category}),
        reverse("blog:category-feed-atom", kwargs={"slug": category}),
        reverse("blog:tag-feed", kwargs={"slug": "shared-topic"}),
        reverse("blog:tag-feed-atom", kwargs={"slug": "shared-topic"}),
        reverse("blog:author-feed", kwargs={"slug": author}),
        reverse("blog:author-feed-atom", kwargs={"slug": author}),
        reverse("blog:sitemap-news"),
        "/robots.txt",
    ]
    for year, month in sorted(months):
        pages += [
            reverse("blog:archive-year", kwargs={"year": year}),
            reverse("blog:archive-month", kwargs={"year": year, "month": month}),
        ]
    index = client.get(reverse("blog:sitemap-index"))
    assert index.status_code == 200
    pages.append(reverse("blog:sitemap-index"))
    for loc in re.findall(r"<loc>([^<]+)</loc>", index.content.decode()):
        parts = urlsplit(loc)
        pages.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return pages


@pytest.mark.parametrize("role", ["anonymous", "editor"])
def test_no_public_page_mentions_or_links_an_unpublished_article(client, site, role):
    live, _hidden = site
    log_in(client, role)  # editors read the public site like everyone else
    pages = public_pages(client, live)
    assert len(pages) > 20

    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        content = response.content.decode().lower()
        for word in SECRETS:
            assert word not in content, (url, word)


def test_listings_hold_only_the_live_article(client, site):
    live, _hidden = site
    for url in [
        reverse("blog:home"),
        live.category.get_absolute_url(),
        reverse("blog:tag-detail", kwargs={"slug": "shared-topic"}),
        live.author.get_absolute_url(),
        reverse("blog:search") + "?q=harbour",
    ]:
        response = client.get(url)
        listed = list(response.context["articles"])
        if response.context.get("featured"):
            listed.append(response.context["featured"])
        assert listed == [live], url


@pytest.mark.parametrize("kind", list(HIDDEN))
def test_searching_for_an_unpublished_articles_own_words_finds_nothing(client, site, kind):
    response = client.get(reverse("blog:search"), {"q": secret(kind)})

    assert response.status_code == 200
    assert response.context["page_obj"].paginator.count == 0


def test_the_live_articles_neighbours_are_never_hidden_ones(client, site):
    live, _hidden = site

    response = client.get(live.get_absolute_url())

    assert response.context["related"] == []
    assert response.context["previous_article"] is None
    assert response.context["next_article"] is None


def test_the_preview_of_a_draft_does_not_reveal_other_hidden_articles(client, site):
    _live, hidden = site

    page = client.get(preview_url(hidden["draft"])).content.decode()

    assert secret("draft") in page
    for kind in HIDDEN:
        if kind != "draft":
            assert secret(kind) not in page, kind


# --- the admin ----------------------------------------------------------------------------------------------


def admin_urls(article):
    return [
        reverse("admin:index"),
        reverse("admin:blog_article_changelist"),
        reverse("admin:blog_article_change", args=[article.pk]),
        reverse("admin:blog_article_history", args=[article.pk]),
        reverse("admin:blog_author_changelist"),
        reverse("admin:core_page_changelist"),
        reverse("admin:auth_user_changelist"),
    ]


@pytest.mark.parametrize("role", ["anonymous", "reader"])
def test_the_admin_sends_non_staff_to_the_login_page(client, role):
    draft = hidden_article("draft")
    log_in(client, role)

    for url in admin_urls(draft):
        response = client.get(url)
        assert response.status_code == 302, url
        assert urlsplit(response["Location"]).path == reverse("admin:login"), url
        assert secret("draft") not in response.content.decode()


def test_staff_without_permissions_see_an_empty_admin_and_no_article(client):
    draft = hidden_article("draft")
    log_in(client, "staff")

    index = client.get(reverse("admin:index"))
    assert index.status_code == 200
    assert "You don’t have permission to view or edit anything." in index.content.decode()
    for url in admin_urls(draft)[1:]:
        response = client.get(url)
        assert response.status_code == 403, url
        assert secret("draft") not in response.content.decode()


def test_writers_see_neither_other_writers_drafts_nor_the_users(client):
    draft = hidden_article("draft")
    log_in(client, "writer")

    listing = client.get(reverse("admin:blog_article_changelist"))
    assert listing.status_code == 200
    assert secret("draft") not in listing.content.decode()
    change = client.get(reverse("admin:blog_article_change", args=[draft.pk]), follow=True)
    assert secret("draft") not in change.content.decode()
    assert client.get(reverse("admin:auth_user_changelist")).status_code == 403


def test_editors_reach_every_admin_page_of_a_draft(editor_client):
    draft = hidden_article("draft")

    for url in admin_urls(draft):
        assert editor_client.get(url).status_code == 200, url
    assert secret("draft") in editor_client.get(admin_urls(draft)[2]).content.decode()


def view_on_site(article):
    content_type = ContentType.objects.get_for_model(Article)
    return reverse("admin:view_on_site", kwargs={"content_type_id": content_type.pk, "object_id": article.pk})


def test_view_on_site_needs_the_right_to_see_the_article(client):
    """Django's stock redirect sends any staff user to any object's address: here, another author's draft."""
    draft = hidden_article("draft")
    writer = log_in(client, "writer")
    own = DraftFactory(author=writer.author)

    refused = client.get(view_on_site(draft))
    assert refused.status_code == 404
    assert "Location" not in refused
    assert secret("draft") not in refused.content.decode()
    assert client.get(view_on_site(own)).status_code == 302


@pytest.mark.parametrize("role", ["anonymous", "reader"])
def test_view_on_site_is_for_staff_only(client, role):
    draft = hidden_article("draft")
    log_in(client, role)

    response = client.get(view_on_site(draft))

    assert response.status_code == 302
    assert urlsplit(response["Location"]).path == reverse("admin:login")


def test_view_on_site_takes_editors_to_the_article(editor_client):
    live = ArticleFactory()

    response = editor_client.get(view_on_site(live))

    assert response.status_code == 302
    assert urlsplit(response["Location"]).path == live.get_absolute_url()


@pytest.mark.parametrize("object_id", ["0", "nope", "1/../2"])
def test_view_on_site_with_unknown_objects_is_404(editor_client, object_id):
    content_type = ContentType.objects.get_for_model(Article)

    assert editor_client.get(f"/admin/r/{content_type.pk}/{object_id}/").status_code == 404
    assert editor_client.get(f"/admin/r/999999/{object_id}/").status_code == 404
    assert editor_client.get(f"/admin/r/x/{object_id}/").status_code == 404
