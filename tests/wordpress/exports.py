"""Small WordPress exports (WXR 1.2) written in the tests, shaped like WordPress's own export.php output."""

HEADER = """<?xml version="1.0" encoding="{encoding}"?>
<rss version="2.0"
    xmlns:excerpt="http://wordpress.org/export/{version}/excerpt/"
    xmlns:content="http://purl.org/rss/1.0/modules/content/"
    xmlns:wfw="http://wellformedweb.org/CommentAPI/"
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:wp="http://wordpress.org/export/{version}/">
<channel>
    <title>Old Blog</title>
    <link>https://old.example.com</link>
    <description>Just another WordPress site</description>
    <language>en-US</language>
    <wp:wxr_version>{version}</wp:wxr_version>
    <wp:base_site_url>https://old.example.com</wp:base_site_url>
    <wp:base_blog_url>https://old.example.com</wp:base_blog_url>
"""
FOOTER = """
</channel>
</rss>
"""


def element(tag, value):
    return f"<wp:{tag}><![CDATA[{value}]]></wp:{tag}>"


def author(wp_id, login, email, display, first="", last=""):
    fields = {
        "author_login": login,
        "author_email": email,
        "author_display_name": display,
        "author_first_name": first,
        "author_last_name": last,
    }
    inner = "".join(element(key, value) for key, value in fields.items())
    return f"\n    <wp:author><wp:author_id>{wp_id}</wp:author_id>{inner}</wp:author>"


def category(term_id, slug, name, parent="", description=""):
    fields = {"category_nicename": slug, "category_parent": parent, "cat_name": name}
    if description:
        fields["category_description"] = description
    inner = "".join(element(key, value) for key, value in fields.items())
    return f"\n    <wp:category><wp:term_id>{term_id}</wp:term_id>{inner}</wp:category>"


def tag(term_id, slug, name):
    inner = element("tag_slug", slug) + element("tag_name", name)
    return f"\n    <wp:tag><wp:term_id>{term_id}</wp:term_id>{inner}</wp:tag>"


AUTHORS = author(1, "alice", "alice@example.com", "Alice Writer", "Alice", "Writer") + author(
    2, "Bob Smith", "bob@example.com", "Bob"
)
TERMS = (
    category(3, "news", "News")
    + category(4, "tech", "Tech", parent="news", description="Gadgets &amp; code")
    + category(5, "caf%c3%a9", "Café")
    + tag(6, "python", "Python")
    + tag(7, "django-tips", "Django Tips")
)


def comment(wp_id, parent=0, approved="1", content="Nice post!", author="Reader", type_="", email=None):
    email = f"reader{wp_id}@example.com" if email is None else email
    return f"""
        <wp:comment>
            <wp:comment_id>{wp_id}</wp:comment_id>
            <wp:comment_author><![CDATA[{author}]]></wp:comment_author>
            <wp:comment_author_email><![CDATA[{email}]]></wp:comment_author_email>
            <wp:comment_author_url>https://reader.example.org/</wp:comment_author_url>
            <wp:comment_author_IP><![CDATA[192.0.2.{wp_id % 250}]]></wp:comment_author_IP>
            <wp:comment_date><![CDATA[2019-03-15 09:00:{wp_id % 60:02d}]]></wp:comment_date>
            <wp:comment_date_gmt><![CDATA[2019-03-15 09:00:{wp_id % 60:02d}]]></wp:comment_date_gmt>
            <wp:comment_content><![CDATA[{content}]]></wp:comment_content>
            <wp:comment_approved><![CDATA[{approved}]]></wp:comment_approved>
            <wp:comment_type><![CDATA[{type_}]]></wp:comment_type>
            <wp:comment_parent>{parent}</wp:comment_parent>
            <wp:comment_user_id>0</wp:comment_user_id>
        </wp:comment>"""


def item(
    post_id,
    title,
    *,
    post_type="post",
    status="publish",
    name=None,
    date="2019-03-14 10:00:00",
    date_gmt=None,
    creator="alice",
    content="<p>Body</p>",
    excerpt="",
    link=None,
    terms=(),
    meta=(),
    comments=(),
    password="",
    sticky=0,
    attachment_url="",
    parent=0,
    raw_content=None,
):
    """One <item>. `raw_content` replaces the whole content:encoded element (for CDATA tricks)."""
    name = title.lower().replace(" ", "-") if name is None else name
    date_gmt = date if date_gmt is None else date_gmt
    if link is None:
        y, m, d = date[:4], date[5:7], date[8:10]
        link = (
            f"https://old.example.com/{y}/{m}/{d}/{name}/"
            if post_type == "post" and status == "publish"
            else f"https://old.example.com/?p={post_id}"
        )
    post_id_element = f"<wp:post_id>{post_id}</wp:post_id>" if post_id is not None else ""
    term_elements = "".join(
        f'<category domain="{domain}" nicename="{slug}"><![CDATA[{label}]]></category>' for domain, slug, label in terms
    )
    meta_elements = "".join(
        f"<wp:postmeta><wp:meta_key><![CDATA[{key}]]></wp:meta_key>"
        f"<wp:meta_value><![CDATA[{value}]]></wp:meta_value></wp:postmeta>"
        for key, value in meta
    )
    content_element = (
        raw_content if raw_content is not None else f"<content:encoded><![CDATA[{content}]]></content:encoded>"
    )
    attachment = f"<wp:attachment_url><![CDATA[{attachment_url}]]></wp:attachment_url>" if attachment_url else ""
    return f"""
    <item>
        <title><![CDATA[{title}]]></title>
        <link>{link}</link>
        <pubDate>Thu, 14 Mar 2019 10:00:00 +0000</pubDate>
        <dc:creator><![CDATA[{creator}]]></dc:creator>
        <guid isPermaLink="false">https://old.example.com/?p={post_id}</guid>
        <description></description>
        {content_element}
        <excerpt:encoded><![CDATA[{excerpt}]]></excerpt:encoded>
        {post_id_element}
        <wp:post_date><![CDATA[{date}]]></wp:post_date>
        <wp:post_date_gmt><![CDATA[{date_gmt}]]></wp:post_date_gmt>
        <wp:comment_status><![CDATA[open]]></wp:comment_status>
        <wp:post_name><![CDATA[{name}]]></wp:post_name>
        <wp:status><![CDATA[{status}]]></wp:status>
        <wp:post_parent>{parent}</wp:post_parent>
        <wp:menu_order>0</wp:menu_order>
        <wp:post_type><![CDATA[{post_type}]]></wp:post_type>
        <wp:post_password><![CDATA[{password}]]></wp:post_password>
        <wp:is_sticky>{sticky}</wp:is_sticky>
        {attachment}
        {term_elements}
        {meta_elements}
        {"".join(comments)}
    </item>"""


def wxr(*items, authors=AUTHORS, terms=TERMS, encoding="UTF-8", version="1.2"):
    """A whole export as bytes, in `encoding`."""
    text = HEADER.format(encoding=encoding, version=version) + authors + terms + "".join(items) + FOOTER
    return text.encode(encoding)


HELLO_CONTENT = """First paragraph of the post.
Still the first paragraph.

[caption id="attachment_50" align="aligncenter" width="300"]<img class="size-medium wp-image-50"
src="https://old.example.com/wp-content/uploads/2019/03/photo-300x200.png" alt="A photo" width="300" height="200" />
The caption text[/caption]

[gallery ids="50,51"]

Contact us: [contact-form-7 id="5" title="Contact"] or [contact-form-7 id="6"]. [citation needed]

<img src="https://old.example.com/wp-content/uploads/2019/03/missing.png" alt="gone" />
<img src="https://old.example.com/wp-content/uploads/%2e%2e/secret.png" alt="escape" />"""


def site_export(*extra_items, hello_title="Hello World"):
    """The main test site: every kind of item, good and bad."""
    hello = item(
        101,
        hello_title,
        name="hello-world",
        content=HELLO_CONTENT,
        excerpt="A <em>short</em> summary.",
        terms=[
            ("category", "news", "News"),
            ("category", "caf%c3%a9", "Café"),
            ("post_tag", "python", "Python"),
            ("post_tag", "django-tips", "Django Tips"),
        ],
        meta=[("_thumbnail_id", "50"), ("_edit_last", "1")],
        sticky=1,
        comments=[
            comment(201, content="Top-level, approved."),
            comment(202, parent=201, content="A reply, approved."),
            comment(203, parent=202, approved="0", content="A held reply to the reply."),
            comment(207, parent=203, content='Four deep, with <a href="https://x.example/">a link</a>.'),
            comment(204, approved="spam", content="Buy pills"),
            comment(205, approved="trash", content="Removed"),
            comment(206, type_="pingback", content="Pinged"),
        ],
    )
    items = [
        hello,
        item(102, "Work in progress", status="draft", name="", date_gmt="0000-00-00 00:00:00"),
        item(103, "Under review", status="pending", name="under-review"),
        item(104, "Coming soon", status="future", name="coming-soon", date="2099-01-01 09:00:00"),
        item(105, "Secret diary", status="private", name="secret-diary"),
        item(106, "Members only", name="members-only", password="hunter2"),
        item(107, "Another hello", name="hello-world", date="2020-05-01 12:00:00", creator="newcomer"),
        item(108, "Trashed", status="trash", name="trashed"),
        item(None, "No id at all", name="no-id"),
        item(109, "Bad date", name="bad-date", date="2019-13-45 99:00:00"),
        item(110, "Menu", post_type="nav_menu_item", status="publish"),
        item(
            50,
            "photo",
            post_type="attachment",
            status="inherit",
            attachment_url="https://old.example.com/wp-content/uploads/2019/03/photo.png",
            meta=[("_wp_attachment_image_alt", "A blue photo")],
            excerpt="Photo caption",
        ),
        item(
            51,
            "secret",
            post_type="attachment",
            status="inherit",
            attachment_url="https://old.example.com/wp-content/uploads/../secret.png",
        ),
        item(
            111,
            "Escaping",
            name="escaping",
            meta=[("_thumbnail_id", "51")],
            comments=[comment(301, content="Comment on the escaping post")],
        ),
        item(
            130,
            "About us",
            post_type="page",
            name="about-us",
            link="https://old.example.com/about-us/",
            content="We write.\n\nEvery day.",
            comments=[comment(401, content="On a page")],
        ),
        item(131, "Team", post_type="page", name="team", parent=130, link="https://old.example.com/about-us/team/"),
        item(132, "Draft page", post_type="page", status="draft", name="draft-page"),
        *extra_items,
    ]
    return wxr(*items)
