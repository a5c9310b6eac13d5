"""The WordPress export generator (bench/wxr.py): well-formed WXR 1.2 holding what an importer meets.

Small exports only, no database and no timing: `make bench-import` imports a large one.
"""

import io
import re
from collections import Counter

import pytest
from lxml import etree
from PIL import Image

from bench.wxr import BLOCK, BLOCK_SIZE, generate, write_export
from bench.wxr_comments import APPROVED
from bench.wxr_format import NAMESPACES, UPLOADS, ZERO_DATE
from bench.wxr_media import image_path
from bench.wxr_terms import CATEGORIES

WP = f"{{{NAMESPACES['wp']}}}"
CONTENT = f"{{{NAMESPACES['content']}}}encoded"
CREATOR = f"{{{NAMESPACES['dc']}}}creator"


def wp(element, name):
    return element.findtext(WP + name)


def meta(item):
    return {m.findtext(WP + "meta_key"): m.findtext(WP + "meta_value") for m in item.iter(WP + "postmeta")}


@pytest.fixture(scope="module")
def export(tmp_path_factory):
    """Five blocks of items: every kind of item, status and comment state appears."""
    path = tmp_path_factory.mktemp("wxr") / "export.xml"
    summary = write_export(path, posts=5 * BLOCK_SIZE, seed=3)
    return path, summary, etree.parse(str(path)).getroot()


def items(root):
    return root.find("channel").findall("item")


def test_the_export_parses_with_wordpress_namespaces(export):
    path, summary, root = export
    assert path.read_bytes().startswith(b'<?xml version="1.0" encoding="UTF-8" ?>')
    assert root.tag == "rss"
    assert root.nsmap == NAMESPACES
    channel = root.find("channel")
    assert wp(channel, "wxr_version") == "1.2"
    assert wp(channel, "base_site_url") == "https://old.example.com"
    assert len(items(root)) == summary["items"] == 5 * BLOCK_SIZE
    assert summary["bytes"] == path.stat().st_size


def test_every_block_of_100_items_has_the_same_mix():
    root = etree.fromstring(generate_bytes(BLOCK_SIZE, seed=11))
    found = Counter((wp(item, "post_type"), wp(item, "status")) for item in items(root))
    assert found == Counter(BLOCK)


def test_the_summary_counts_what_was_written(export):
    _, summary, root = export
    found = Counter(f"{wp(item, 'post_type')}/{wp(item, 'status')}" for item in items(root))
    assert found == summary["by_status"]
    assert summary["by_type"] == {"attachment": 85, "nav_menu_item": 5, "page": 10, "post": 400}
    assert set(summary["by_status"]) >= {f"post/{s}" for s in ("publish", "draft", "pending", "future", "private")}
    comments = list(root.iter(WP + "comment"))
    assert len(comments) == summary["comments"] > 0
    assert Counter(wp(c, "comment_approved") for c in comments) == summary["comments_by_approved"]
    assert set(summary["comments_by_approved"]) == set(APPROVED)


def test_a_partial_block(tmp_path):
    summary = write_export(tmp_path / "small.xml", posts=20, seed=5)
    root = etree.parse(str(tmp_path / "small.xml")).getroot()
    assert len(items(root)) == summary["items"] == 20
    assert sum(summary["by_type"].values()) == 20


def test_items_carry_the_wordpress_fields(export):
    _, _, root = export
    ids = [int(wp(item, "post_id")) for item in items(root)]
    assert ids == sorted(set(ids))  # unique, rising, with the gaps revisions leave
    assert ids[-1] > len(ids)
    for item in items(root):
        for name in ("post_date", "post_date_gmt", "post_name", "status", "post_type", "post_parent", "is_sticky"):
            assert item.find(WP + name) is not None, name
        guid = item.find("guid")
        assert guid.get("isPermaLink") == "false"
        kind, status = wp(item, "post_type"), wp(item, "status")
        if kind == "post":
            assert guid.text == f"https://old.example.com/?p={wp(item, 'post_id')}"
        if kind == "post" and status == "publish":
            date = wp(item, "post_date")[:10].replace("-", "/")
            assert item.findtext("link") == f"https://old.example.com/{date}/{wp(item, 'post_name')}/"
            assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", wp(item, "post_date_gmt"))


def test_drafts_look_like_wordpress_drafts(export):
    _, _, root = export
    drafts = [i for i in items(root) if wp(i, "post_type") == "post" and wp(i, "status") in ("draft", "pending")]
    assert drafts
    assert all(wp(i, "post_date_gmt") == ZERO_DATE for i in drafts)
    assert any(wp(i, "post_name") == "" for i in drafts)
    for item in drafts:
        if not wp(item, "post_name"):
            assert item.findtext("link").endswith(f"?p={wp(item, 'post_id')}")


def test_terms_authors_and_category_nesting(export):
    _, summary, root = export
    channel = root.find("channel")
    logins = {wp(a, "author_login") for a in channel.findall(WP + "author")}
    assert len(logins) == summary["authors"] >= 3
    categories = [(wp(c, "category_nicename"), wp(c, "category_parent")) for c in channel.findall(WP + "category")]
    assert len(categories) == len(CATEGORIES)
    seen = set()
    for nicename, parent in categories:
        assert not parent or parent in seen  # a parent comes before its children
        seen.add(nicename)
    assert any(parent for _, parent in categories)
    tags = {wp(t, "tag_slug") for t in channel.findall(WP + "tag")}
    assert len(tags) == summary["tags"]
    for item in items(root):
        assert item.findtext(CREATOR) in logins
        for term in item.findall("category"):
            assert term.get("domain") in ("category", "post_tag", "nav_menu")
            if term.get("domain") == "category":
                assert term.get("nicename") in seen
            elif term.get("domain") == "post_tag":
                assert term.get("nicename") in tags


def test_comment_threads_point_at_earlier_comments_of_the_same_post(export):
    _, _, root = export
    all_ids = [int(wp(c, "comment_id")) for c in root.iter(WP + "comment")]
    assert len(all_ids) == len(set(all_ids))
    replies = 0
    for item in items(root):
        earlier = set()
        for comment in item.findall(WP + "comment"):
            parent = int(wp(comment, "comment_parent"))
            if parent:
                assert parent in earlier
                replies += 1
            earlier.add(int(wp(comment, "comment_id")))
    assert replies


def test_attachments_named_by_posts_exist(export):
    _, summary, root = export
    attachments = {wp(i, "post_id"): i for i in items(root) if wp(i, "post_type") == "attachment"}
    posts = {wp(i, "post_id") for i in items(root) if wp(i, "post_type") == "post"}
    for attachment in attachments.values():
        assert wp(attachment, "attachment_url").startswith(UPLOADS + "/")
        assert wp(attachment, "post_parent") == "0" or wp(attachment, "post_parent") in posts
    thumbnails = [meta(i)["_thumbnail_id"] for i in items(root) if "_thumbnail_id" in meta(i)]
    assert len(thumbnails) == summary["thumbnails"] > 0
    assert set(thumbnails) <= attachments.keys()
    bodies = "".join(i.findtext(CONTENT) for i in items(root))
    captioned = re.findall(r'\[caption id="attachment_(\d+)" align="aligncenter" width="\d+"\]<img ', bodies)
    assert len(captioned) == summary["captions"] > 0
    assert set(captioned) <= attachments.keys()


def test_bodies_are_classic_editor_html_with_shortcodes(export):
    _, _, root = export
    bodies = [i.findtext(CONTENT) for i in items(root) if wp(i, "post_type") == "post"]
    classic = [b for b in bodies if "<!-- wp:" not in b]
    assert all("<p>" not in b for b in classic)
    assert all("\n\n" in b for b in classic)  # paragraphs separated by blank lines
    text = "\n".join(bodies)
    assert "[gallery ids=" in text
    assert "[embed]https://" in text
    assert '<a href="https://old.example.com/' in text
    assert re.search(r"[^\x00-\x7f]", text)


def test_the_same_seed_gives_the_same_bytes():
    assert generate_bytes(150, seed=9) == generate_bytes(150, seed=9)
    assert generate_bytes(150, seed=9) != generate_bytes(150, seed=10)


def test_the_export_is_written_item_by_item():
    writes = Recorder()
    summary = generate(writes, posts=2000, seed=1)
    assert len(writes.sizes) > summary["items"]  # one write per item at least, the head aside
    assert max(writes.sizes) < 64 * 1024  # never the whole document in one piece
    assert sum(writes.sizes) > 50 * max(writes.sizes)


def test_media_files_are_real_pictures_where_the_urls_point(tmp_path):
    summary = write_export(tmp_path / "export.xml", posts=BLOCK_SIZE, seed=2, images=5, media_dir=tmp_path / "media")
    assert summary["media_files"] == 5
    for index in range(5):
        path, width, height = image_path(index)
        with Image.open(tmp_path / "media" / "wp-content" / "uploads" / path) as picture:
            assert picture.size == (width, height)
            assert picture.format == ("PNG" if path.endswith(".png") else "JPEG")
    root = etree.parse(str(tmp_path / "export.xml")).getroot()
    urls = [wp(i, "attachment_url") for i in items(root) if wp(i, "post_type") == "attachment"]
    on_disk = [u for u in urls if (tmp_path / "media" / u.removeprefix("https://old.example.com/")).is_file()]
    assert len(urls) - len(on_disk) == summary["missing_files"]


class Recorder:
    """A text file that keeps only the size of each write."""

    def __init__(self):
        self.sizes = []

    def write(self, text):
        self.sizes.append(len(text))


def generate_bytes(posts, seed):
    out = io.StringIO()
    generate(out, posts=posts, seed=seed)
    return out.getvalue().encode()
