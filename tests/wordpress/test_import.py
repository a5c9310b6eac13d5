"""`manage.py import_wordpress`: what each WordPress object becomes, reruns, dry runs, media, bad input."""

import io

import pytest
from django.contrib.redirects.models import Redirect
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from PIL import Image
from taggit.models import Tag

from blog.models import Article, Author, Category
from core.models import Page
from discussion.models import Comment
from tests.factories import ArticleFactory, AuthorFactory
from wordpress.models import ImportedObject

from .exports import TERMS, category, item, site_export, tag, wxr

pytestmark = pytest.mark.django_db


@pytest.fixture
def export(tmp_path):
    def write(data=None, name="export.xml"):
        path = tmp_path / name
        path.write_bytes(site_export() if data is None else data)
        return path

    return write


@pytest.fixture
def media_dir(tmp_path):
    """A copy of wp-content/uploads with one real PNG, and a file beside it that ../ would reach."""
    uploads = tmp_path / "uploads"
    (uploads / "2019" / "03").mkdir(parents=True)
    Image.new("RGB", (640, 400), (200, 30, 30)).save(uploads / "2019" / "03" / "photo.png")
    Image.new("RGB", (10, 10), (0, 0, 0)).save(tmp_path / "secret.png")
    return uploads


def run(path, *args):
    out = io.StringIO()
    call_command("import_wordpress", str(path), *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def counts_line(report, kind):
    line = next(line for line in report.splitlines() if line.split()[:1] == [kind])
    return dict(zip(("created", "updated", "unchanged", "skipped"), map(int, line.split()[1:]), strict=True))


def test_posts_with_each_status(export):
    report = run(export())
    articles = {a.title: a for a in Article.objects.all()}
    hello = articles["Hello World"]
    assert hello.status == Article.Status.PUBLISHED and hello.is_live
    assert hello.get_absolute_url() == "/2019/03/hello-world/"
    assert hello.is_featured  # sticky
    assert hello.standfirst == "A short summary."
    assert articles["Work in progress"].status == Article.Status.DRAFT
    assert articles["Work in progress"].published_at is None
    assert articles["Work in progress"].slug == "work-in-progress"
    assert articles["Under review"].status == Article.Status.REVIEW
    assert articles["Coming soon"].is_scheduled
    assert articles["Secret diary"].status == Article.Status.DRAFT
    assert articles["Members only"].status == Article.Status.DRAFT
    assert articles["Another hello"].slug == "hello-world-2"
    assert "Trashed" not in articles and "Bad date" not in articles and "No id at all" not in articles
    assert counts_line(report, "post") == {"created": 8, "updated": 0, "unchanged": 0, "skipped": 3}
    assert "1 post: no wp:post_id (“No id at all”)" in report
    assert "1 post: unparsable date “2019-13-45 99:00:00” (#109)" in report
    assert "1 post: in the trash (#108)" in report
    assert "post type “nav_menu_item” is not content" in report
    assert "slug “hello-world” was taken: now “hello-world-2”" in report
    assert "password-protected: imported as a draft (#106)" in report


def test_authors_categories_and_tags(export):
    run(export())
    alice = Author.objects.get(email="alice@example.com")
    assert (alice.name, alice.slug) == ("Alice Writer", "alice")
    assert Author.objects.get(email="bob@example.com").slug == "bob-smith"
    assert Author.objects.filter(name="newcomer").exists()  # a dc:creator without a wp:author
    hello = Article.objects.get(slug="hello-world")
    assert hello.author == alice
    assert hello.category.slug == "news"
    # One category per article in Byline: WordPress's second one becomes a tag.
    assert sorted(hello.tags.names()) == ["Café", "Django Tips", "Python"]
    assert Category.objects.get(slug="tech").description == "Gadgets & code"
    assert Category.objects.get(slug="cafe").name == "Café"


def test_existing_author_is_matched_by_email_not_duplicated(export):
    existing = AuthorFactory(email="ALICE@example.com", name="Alice (staff)")
    report = run(export())
    assert Article.objects.get(slug="hello-world").author == existing
    assert Author.objects.filter(email__iexact="alice@example.com").count() == 1
    existing.refresh_from_db()
    assert existing.name == "Alice (staff)"  # left as the editors made it
    assert "matched the existing author" in report


def test_body_goes_through_autop_shortcodes_and_the_sanitizer(export):
    report = run(export())
    body = Article.objects.get(slug="hello-world").body
    assert "<p>First paragraph of the post.<br>Still the first paragraph.</p>" in body.replace("\n", "")
    assert "<figcaption>The caption text</figcaption></figure>" in body
    assert 'class="' not in body  # the sanitizer dropped WordPress's classes
    assert '[gallery ids="50,51"]' in body
    assert "[gallery] × 1" in report
    assert "[contact-form-7] × 2" in report
    assert "[citation" not in report


def test_comments_threads_and_flags(export):
    report = run(export())
    hello = Article.objects.get(slug="hello-world")
    comments = {c.comment: c for c in Comment.objects.for_article(hello)}
    top = comments["Top-level, approved."]
    reply = comments["A reply, approved."]
    held = comments["A held reply to the reply."]
    deep = comments["Four deep, with a link (https://x.example/)."]
    assert top.parent is None and top.is_public and top.depth == 1
    assert reply.parent == top and reply.depth == 2
    assert held.parent == reply and held.depth == 3 and held.is_held
    assert deep.parent == reply and deep.depth == 3  # Byline's threads stop at three levels
    assert comments["Buy pills"].is_spam and not comments["Buy pills"].is_public
    assert comments["Removed"].is_removed
    assert "Pinged" not in comments
    assert top.user_name == "Reader" and top.user_email == "reader201@example.com"
    assert top.ip_address == "192.0.2.201"
    hello.refresh_from_db()
    assert hello.comment_count == 3  # the approved ones
    assert counts_line(report, "comment") == {"created": 7, "updated": 0, "unchanged": 0, "skipped": 2}
    assert "a pingback, not a reader's comment (#206)" in report
    assert "on a page: Byline pages have no comments (#401)" in report


def test_pages(export):
    run(export())
    about = Page.objects.get(slug="about-us")
    assert about.body == "<p>We write.</p>\n<p>Every day.</p>"
    assert not about.in_footer
    assert Page.objects.filter(slug="team").exists()
    assert not Page.objects.filter(slug="draft-page").exists()


def test_running_again_updates_and_duplicates_nothing(export):
    path = export()
    run(path)
    totals = [
        model.objects.count() for model in (Article, Author, Category, Tag, Page, Comment, Redirect, ImportedObject)
    ]
    again = run(path)
    assert [
        model.objects.count() for model in (Article, Author, Category, Tag, Page, Comment, Redirect, ImportedObject)
    ] == totals
    assert counts_line(again, "post") == {"created": 0, "updated": 0, "unchanged": 8, "skipped": 3}
    assert counts_line(again, "comment") == {"created": 0, "updated": 0, "unchanged": 7, "skipped": 2}
    assert counts_line(again, "page")["unchanged"] == 2

    changed = run(export(site_export(hello_title="Hello, renamed World")))
    assert counts_line(changed, "post") == {"created": 0, "updated": 1, "unchanged": 7, "skipped": 3}
    hello = Article.objects.get(slug="hello-world")
    assert hello.title == "Hello, renamed World"
    assert Article.objects.count() == totals[0]


def test_matched_by_guid_when_the_id_changed(export):
    run(export(wxr(item(1, "Moved"))))
    article = Article.objects.get(slug="moved")
    data = wxr(item(1, "Moved")).replace(b"<wp:post_id>1</wp:post_id>", b"<wp:post_id>9001</wp:post_id>")
    report = run(export(data))
    assert Article.objects.get() == article
    assert counts_line(report, "post")["updated"] == 1


def test_interrupted_run_is_completed_by_the_next(export):
    """Each item commits on its own: a first run that saw only part of the site is completed, not duplicated."""
    run(export(wxr(item(101, "Hello World", name="hello-world"))))
    report = run(export())
    assert counts_line(report, "post")["created"] == 7
    assert Article.objects.filter(slug__startswith="hello-world").count() == 2


def test_dry_run_writes_nothing(export, media_dir):
    models = (Article, Author, Category, Tag, Page, Comment, Redirect, ImportedObject)
    before = [model.objects.count() for model in models]
    report = run(export(), "--dry-run", "--media-dir", str(media_dir))
    assert report.startswith("WordPress import (dry run: nothing was saved)")
    assert counts_line(report, "post")["created"] == 8
    assert counts_line(report, "image")["created"] == 1
    assert [model.objects.count() for model in models] == before
    assert not default_storage.exists("articles/wordpress")


def test_media_dir_featured_and_body_images(export, media_dir):
    report = run(export(), "--media-dir", str(media_dir))
    hello = Article.objects.get(slug="hello-world")
    assert hello.featured_image.name == "articles/wordpress/2019/03/photo.png"
    assert (hello.featured_image_width, hello.featured_image_height) == (640, 400)
    assert hello.featured_image_alt == "A blue photo"
    assert hello.featured_image_caption == "Photo caption"
    with default_storage.open(hello.featured_image.name) as stored, Image.open(stored) as img:
        assert img.format == "PNG" and img.size == (640, 400)
    # WordPress's resized copy is not in the folder: its original is used, at the size the <img> says.
    stored = '<img src="/media/articles/wordpress/2019/03/photo.png" alt="A photo" width="300" height="200">'
    assert stored in hello.body
    # Not in the folder: the old address stays.
    assert 'src="https://old.example.com/wp-content/uploads/2019/03/missing.png"' in hello.body
    assert "1 image: not in the --media-dir folder (#101 2019/03/missing.png)" in report
    # ../ out of the folder: refused, never read.
    assert "2 image: refused: outside the uploads folder (#101 ../secret.png, #111 ../secret.png)" in report
    assert Article.objects.get(slug="escaping").featured_image.name == ""
    assert counts_line(report, "image")["created"] == 1
    # The same file again: stored once.
    again = run(export(), "--media-dir", str(media_dir))
    assert counts_line(again, "post")["unchanged"] == 8
    assert len(default_storage.listdir("articles/wordpress/2019/03")[1]) == 1


def test_without_media_dir_images_keep_their_address_and_nothing_is_downloaded(export):
    report = run(export())
    hello = Article.objects.get(slug="hello-world")
    assert not hello.featured_image
    assert 'src="https://old.example.com/wp-content/uploads/2019/03/photo-300x200.png"' in hello.body
    assert "featured image: not imported without --media-dir (never downloaded) (#101, #111)" in report


def test_odd_encodings(export):
    latin = wxr(
        item(1, "Café crème", name="caf%c3%a9-cr%c3%a8me", content="Ol&eacute; &nbsp;world"), encoding="ISO-8859-1"
    )
    run(export(latin, "latin.xml"))
    article = Article.objects.get(title="Café crème")
    assert article.slug == "cafe-creme"
    assert article.body == "<p>Olé &nbsp;world</p>"
    raw = "<content:encoded><![CDATA[Emoji 🎉 and a[b[0]]]]><![CDATA[> end]]></content:encoded>"
    run(export(wxr(item(2, "Split", raw_content=raw)), "split.xml"))
    assert Article.objects.get(title="Split").body == "<p>Emoji 🎉 and a[b[0]]&gt; end</p>"


def test_slug_taken_by_an_article_made_in_byline(export):
    ArticleFactory(slug="hello-world")
    run(export())
    assert Article.objects.get(title="Hello World").slug == "hello-world-2"
    run(export())  # and it stays so on the next run
    assert Article.objects.get(title="Hello World").slug == "hello-world-2"


def test_a_draft_without_a_slug_does_not_take_a_later_posts_slug(export):
    # WordPress leaves drafts' post_name empty: a slug made from the title must not be one a
    # published post owns, even when the draft comes first in the file.
    draft = item(20, "Budget phones compared", status="draft", name="")
    published = item(21, "Budget phones compared", name="budget-phones-compared")
    run(export(wxr(draft, published), "drafts.xml"))
    assert Article.objects.get(status=Article.Status.PUBLISHED).slug == "budget-phones-compared"
    assert Article.objects.get(status=Article.Status.DRAFT).slug == "budget-phones-compared-2"
    run(export(wxr(draft, published), "drafts.xml"))  # the same on the next run
    assert sorted(Article.objects.values_list("slug", flat=True)) == [
        "budget-phones-compared",
        "budget-phones-compared-2",
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"%PDF-1.4 not xml", "Not well-formed XML"),
        (b'<?xml version="1.0"?><rss version="2.0"><channel><title>A feed</title></channel></rss>', "wp namespace"),
    ],
)
def test_not_a_wordpress_export_is_a_clear_error(export, data, message):
    with pytest.raises(CommandError, match=message):
        run(export(data))
    assert not Article.objects.exists()


def test_missing_file_and_media_dir(tmp_path, export):
    with pytest.raises(CommandError, match="No such file"):
        run(tmp_path / "nope.xml")
    with pytest.raises(CommandError, match="--media-dir is not a folder"):
        run(export(), "--media-dir", str(tmp_path / "nope"))


def test_admin_lists_imported_objects_read_only(export, admin_client):
    run(export())
    response = admin_client.get("/admin/wordpress/importedobject/")
    assert response.status_code == 200
    assert admin_client.get("/admin/wordpress/importedobject/add/").status_code == 403
    row = ImportedObject.objects.get(kind="post", wp_id="101")
    assert admin_client.get(f"/admin/wordpress/importedobject/{row.pk}/change/").status_code == 200
    assert admin_client.get("/admin/redirects/redirect/").status_code == 200


def test_small_batches_import_the_same(export, monkeypatch):
    """Items commit in batches; a batch boundary anywhere changes nothing in what is imported."""
    monkeypatch.setattr("wordpress.importer.BATCH_RECORDS", 2)
    report = run(export())
    assert counts_line(report, "post") == {"created": 8, "updated": 0, "unchanged": 0, "skipped": 3}
    assert counts_line(report, "comment")["created"] == 7


def test_names_in_other_scripts_keep_readable_slugs_and_an_odd_tag_is_reported_not_fatal(export):
    terms = tag(8, "%3e", ">") + tag(9, "%e6%97%a5%e6%9c%ac%e8%aa%9e", "日本語") + category(10, "", "Επίπεδο 2")
    items = [
        item(21, "日本語テスト", name="%e6%97%a5%e6%9c%ac%e8%aa%9e%e3%83%86%e3%82%b9%e3%83%88",
             terms=[("post_tag", "%3e", ">"), ("post_tag", "%e6%97%a5%e6%9c%ac%e8%aa%9e", "日本語"),
                    ("category", "", "Επίπεδο 2")]),
        item(22, "Привет, мир", name="", terms=[("post_tag", "", "🔥")]),
        item(23, "<b>Bold</b> &lt;i&gt;title&lt;/i&gt;", name="bold-title"),
    ]  # fmt: skip
    report = run(export(wxr(*items, terms=TERMS + terms), "scripts.xml"))
    japanese = Article.objects.get(title="日本語テスト")
    assert japanese.slug == "日本語テスト"
    assert list(japanese.tags.slugs()) == ["日本語"]
    assert japanese.category.slug == "επίπεδο-2"
    assert Article.objects.get(title="Привет, мир").slug == "привет-мир"
    assert Article.objects.get(slug="bold-title").title == "Bold title"  # text, never markup
    assert "no letter or digit to make an address from" in report
    assert not Tag.objects.filter(slug="").exists()
