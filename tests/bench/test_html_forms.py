"""Forms as a browser would send them, and the errors a refused form shows (bench/html_forms.py)."""

from bench.html_forms import find_form, parse_forms, refusal_reason

ARTICLE_PAGE = """\
<form role="search" action="/search/"><input type="search" name="q"></form>
<form method="post" action="/comments/post/" class="comment-form stacked-form" novalidate>
  <input type="hidden" name="content_type" value="blog.article" id="id_content_type">
  <input type="hidden" name="object_pk" value="42" id="id_object_pk">
  <input type="hidden" name="timestamp" value="1790000000" id="id_timestamp">
  <input type="hidden" name="security_hash" value="0a1b2c" id="id_security_hash">
  <input type="hidden" name="parent" value="" id="id_parent">
  <textarea name="comment" rows="6">A &amp; B</textarea>
  <input type="text" name="name" maxlength="50" required>
  <input type="email" name="email" required>
  <input type="checkbox" name="notify_on_approval" id="id_notify_on_approval">
  <div class="hp" aria-hidden="true"><input type="text" name="honeypot" tabindex="-1" value=""></div>
  <button type="submit" class="button">Post Comment</button>
</form>
"""

CONTRIBUTE_PAGE = """\
<form class="stacked-form" method="post" enctype="multipart/form-data" action="/contribute/" novalidate>
  <input type="hidden" name="csrfmiddlewaretoken" value="tok3n">
  <input type="file" name="document" accept=".docx"><input type="file" name="images" multiple>
  <input type="checkbox" name="consent" checked>
  <select name="kind"><option value="a">A</option><option value="b" selected>B</option></select>
</form>
"""


def test_parse_forms_reads_what_a_browser_would_send():
    forms = parse_forms(ARTICLE_PAGE)
    assert [form["action"] for form in forms] == ["/search/", "/comments/post/"]
    comment = forms[1]
    assert (comment["method"], comment["class"]) == ("post", "comment-form stacked-form")
    assert comment["fields"] == {
        "content_type": "blog.article",
        "object_pk": "42",
        "timestamp": "1790000000",
        "security_hash": "0a1b2c",
        "parent": "",
        "comment": "A & B",
        "name": "",
        "email": "",
        "honeypot": "",
    }  # no unchecked box, no button


def test_find_form_by_action_with_files_checkboxes_and_selects():
    form = find_form(CONTRIBUTE_PAGE, "/contribute/")
    assert form["enctype"] == "multipart/form-data"
    assert form["fields"] == {"csrfmiddlewaretoken": "tok3n", "consent": "on", "kind": "b"}
    assert form["files"] == ["document", "images"]
    assert find_form(CONTRIBUTE_PAGE, "/copyright/complaint/") is None


def test_refusal_reason_is_one_line_per_kind_of_refusal():
    html = """<form><div class="form-errors" role="alert">
      <p>Your complaint was not sent.</p><ul><li>Your signature must be “Ana Smith” &amp; not 12 other names.</li></ul>
    </div><input name="x"></form>"""
    assert refusal_reason(html) == "Your complaint was not sent. Your signature must be “…” & not N other names."
    assert refusal_reason("<p>Thanks</p>") == ""
