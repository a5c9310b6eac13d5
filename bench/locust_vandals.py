"""The load test's hostile visitors, on locust: the Vandal, whose forged, broken, oversized and garbage
requests must each get a 4xx, and the Flooder, who posts until every rate limit answers 429."""

import itertools
import os
import random
import time
import uuid

from locust import between, task

from bench.locust_visitors import (
    CATALOGUE,
    COMMENTS,
    COMPLAINT,
    PER_CLIENT_ADDRESSES,
    SUBMIT,
    TOKEN,
    Visitor,
    article_html,
    words,
)
from bench.traffic import FLOOD_NAMES

# The Vandal's probes: (what a field of a real comment form is forged to, the statuses expected).
COMMENT_FORGERIES = [
    ("security_hash", "0" * 40, {404}),
    *[("object_pk", value, {404}) for value in ["abc", "", "-1", "1.5", "9" * 30, "²³", "１２", "0x10"]],
    *[("content_type", value, {404}) for value in ["auth.user", "blog.nothing", "", "blog.article.x"]],
    ("timestamp", "yesterday", {400, 404}),
    *[("parent", value, {400}) for value in ["²", "99999999", "-3"]],
    ("honeypot", "http://spam.example/", {400}),
    ("comment", "nul\x00byte", {400}),
    ("email", "not-an-address", {400}),
]
BAD_ADDRESSES = [
    "http://[::1",
    "javascript:alert(1)",
    "https://evil.example/2024/01/x/",
    "/no/such/article/",
    "%zz%00",
    "/" + "a/" * 240,
    "ftp://127.0.0.1/2024/01/x/",
    "https://127.0.0.1:99999/",
]
SEARCH_GARBAGE = ["\x00", '"', "-", "or", "*", "NEAR(a b)", "a" * 3000, "\ufffd", "' OR 1=1 --"]
PAGE_GARBAGE = ["abc", "0", "-1", "²", "9" * 30, "99999"]
REPLY_GARBAGE = ["²", "1" * 30, "-1", "abc", "0"]
PATH_GARBAGE = [
    "/%ff%fe/",
    "/2024/13/x/",
    "/0/0/x/",
    "/tag/%00/",
    "/category/" + "a" * 3000 + "/",
    "/" + "x" * 9000,
    "/sitemap-nope.xml",
    "/sitemap-articles.xml?p=999",
    "/sitemap-articles.xml?p=abc",
    "/contribute/status/not-a-token/",
    "/preview/forged-token/",
]


# Every probe: a Vandal method and its arguments.
PROBES = [
    *[("comment_forged", *forgery) for forgery in COMMENT_FORGERIES],
    ("comment_empty",),
    ("comment_oversized",),
    *[("wrong_method", method, path) for method, path in [("GET", COMMENTS), ("PUT", COMMENTS)]],
    *[("wrong_method", method, path) for method, path in [("DELETE", SUBMIT), ("PATCH", COMPLAINT)]],
    *[("contribute_bad", kind) for kind in ["no csrf", "honeypot", "fields", "image", "multipart"]],
    ("contribute_oversized",),
    *[("complaint_bad", "address", address) for address in BAD_ADDRESSES],
    ("complaint_bad", "oversized", None),
    ("complaint_bad", "encoding", None),
    *[("garbage_search", query) for query in SEARCH_GARBAGE],
    *[("garbage_page", page) for page in PAGE_GARBAGE],
    *[("garbage_reply", value) for value in REPLY_GARBAGE],
    *[("garbage_path", path) for path in PATH_GARBAGE],
    ("bad_host",),
    ("admin_login",),
]
# The Vandals take turns through one shuffled round of them, then the next: at the defaults
# (about four Vandals), a run of a minute sends every probe at least once.
_probes = itertools.cycle(random.sample(PROBES, len(PROBES)))


class Vandal(Visitor):
    """Bad input, each request of which must get a 4xx: forged, broken, oversized and garbage."""

    weight = 2
    wait_time = between(0.5, 2)

    @task
    def probe(self):
        method, *args = next(_probes)
        getattr(self, method)(*args)

    def csrf_fields(self, path):
        """A fresh visitor's form fields (CSRF token included) for the form at `path`; the cookie is kept."""
        self.move()
        form = self.form(self.call("GET", path, "bad: fetch form"), path)
        return form["fields"] if form else None

    def comment_forged(self, field, value, expect):
        if not CATALOGUE["commentable"]:
            return
        page = self.call("GET", random.choice(CATALOGUE["commentable"])["url"], "bad: fetch form")
        form = self.form(page, COMMENTS)
        if form is None:
            return
        fields = {**form["fields"], "comment": words(12), "name": "Mallory", "email": "mallory@example.org"}
        fields[field] = value
        self.call("POST", COMMENTS, f"bad: comment {field}", expect=expect, data=fields)

    def comment_empty(self):
        self.call("POST", COMMENTS, "bad: comment empty", expect={404}, data={})

    def comment_oversized(self):
        data = {"content_type": "blog.article", "object_pk": "1", "comment": "x" * 80_000}
        self.call("POST", COMMENTS, "bad: comment oversized", expect={413}, data=data)

    def wrong_method(self, method, path):
        # CSRF refuses an unsafe method without a token before the view answers 405.
        self.call(method, path, "bad: method", expect={405} if path == COMMENTS else {403, 405})

    def contribute_bad(self, kind):
        fields = self.csrf_fields(SUBMIT)
        if fields is None:
            return
        fields = {**fields, "name": "Mallory", "email": "mallory@example.org", "title": "Spam", "consent": "on"}
        fields["body"] = article_html(80)
        files, headers, expect = None, {}, {400}
        if kind == "no csrf":
            self.client.cookies.clear()
            expect = {403}
        elif kind == "honeypot":
            fields["website"] = "http://spam.example/"
        elif kind == "fields":
            fields.update(name="M" * 500, email="not-an-email", title="", body="<script>x</script>")
            del fields["consent"]
        elif kind == "image":
            files = [("images", ("broken.png", b"\x89PNG\r\n\x1a\n" + os.urandom(2000), "image/png"))]
        else:  # "multipart": random bytes where the parts should be
            headers["Content-Type"] = "multipart/form-data; boundary=zzz"
            fields = os.urandom(3000)
            expect = {400, 403}
        self.call("POST", SUBMIT, f"bad: contribute {kind}", expect=expect, data=fields, files=files, headers=headers)

    def contribute_oversized(self):
        """Form data beyond DATA_UPLOAD_MAX_MEMORY_SIZE (10 MB): refused before it is parsed."""
        fields = self.csrf_fields(SUBMIT)
        if fields is None:
            return
        fields = {**fields, "body": "x" * (11 * 1024 * 1024)}
        self.call("POST", SUBMIT, "bad: contribute oversized", expect={400, 413}, data=fields)

    def complaint_bad(self, kind, address):
        fields = self.csrf_fields(COMPLAINT)
        if fields is None:
            return
        fields = {
            **fields,
            "claimant_name": "Mallory",
            "claimant_email": "mallory@example.org",
            "original_work": "Mine.",
            "article_url": address or random.choice(CATALOGUE["articles"]),
            "good_faith": "on",
            "accuracy": "on",
            "signature": "Mallory",
        }
        headers, expect = {}, {400}
        if kind == "oversized":
            fields["original_work"] = "x" * 80_000
            expect = {413}
        elif kind == "encoding":
            # Not UTF-8: Django decodes it with replacement characters, and no article has that address.
            fields = "&".join(f"{k}={v}" for k, v in fields.items() if k != "article_url") + "&article_url=%ff%fe%fd"
            fields = fields.encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.call("POST", COMPLAINT, f"bad: complaint {kind}", expect=expect, data=fields, headers=headers)

    def garbage_search(self, query):
        # Search takes anything: what it cannot use, it ignores.
        self.call("GET", "/search/", "bad: query", expect={200, 400}, params={"q": query})

    def garbage_page(self, page):
        path = random.choice(["/", random.choice(CATALOGUE["categories"]), random.choice(CATALOGUE["tags"])])
        self.call("GET", path, "bad: query", expect={400, 404}, params={"page": page})

    def garbage_reply(self, value):
        # The reply form shows on articles open for comments; an unknown comment to reply to is ignored.
        if CATALOGUE["commentable"]:
            url = random.choice(CATALOGUE["commentable"])["url"]
            self.call("GET", url, "bad: query", expect={200, 400}, params={"replyto": value})

    def garbage_path(self, path):
        self.call("GET", path, "bad: path", expect={400, 404, 414})

    def bad_host(self):
        self.call("GET", "/", "bad: host header", expect={400}, headers={"Host": "evil.example"})

    def admin_login(self):
        """A wrong password, sometimes for the same user name: the form again, then a lockout."""
        fields = self.csrf_fields("/admin/login/")
        if fields is None:
            return
        fields.update(username=random.choice(["admin", "editor", f"user{random.randint(1, 999)}"]), password="wrong")
        self.call("POST", "/admin/login/", "bad: admin login", expect={200, 403, 429}, data=fields)


class Flooder(Visitor):
    """One per run, from one address: posts until each rate limit answers 429, then checks it holds."""

    abstract = not PER_CLIENT_ADDRESSES  # everyone is 127.0.0.1 otherwise: the limits are lifted
    fixed_count = 1

    def on_start(self):
        self.move()  # and never again: the limits count this one address
        self.refused = set()
        self.forms = {}

    def wait_time(self):
        return 5 if len(self.refused) == len(FLOOD_NAMES) else 0.2

    def fields(self, scope):
        if scope not in self.forms:
            if scope == "comments":
                page = self.call("GET", random.choice(CATALOGUE["commentable"])["url"], "flood: form")
                form = self.form(page, COMMENTS)
                if form is not None:  # a token of its own, as comments.js fetches (discussion/forms.py)
                    fresh = self.call("GET", TOKEN, "flood: token", params={"object_pk": form["fields"]["object_pk"]})
                    form = form if fresh.status_code == 200 else None
                    if form is not None:
                        form["fields"].update(fresh.json())
                time.sleep(CATALOGUE["comment_min_seconds"] + 0.5)
            else:
                path = SUBMIT if scope == "submissions" else COMPLAINT
                form = self.form(self.call("GET", path, "flood: form"), path)
            if form is None:
                return None
            self.forms[scope] = form["fields"]
        return dict(self.forms[scope])

    @task
    def flood(self):
        waiting = [scope for scope in FLOOD_NAMES if scope not in self.refused]
        scope = waiting[0] if waiting else random.choice(list(FLOOD_NAMES))
        if scope == "comments" and not CATALOGUE["commentable"]:
            self.refused.add(scope)
            return
        fields = self.fields(scope)
        if fields is None:
            return
        name, email = "Flo Flooder", "flo@example.org"
        files = None
        if scope == "comments":
            path = COMMENTS
            fields.update(comment=f"{words(10)} ({uuid.uuid4().hex[:8]})", name=name, email=email)
        elif scope == "submissions":
            path = SUBMIT
            fields.update(name=name, email=email, title=words(6), body=article_html(150), consent="on")
            files = [("document", ("", b"", "application/octet-stream"))]
        else:
            path = COMPLAINT
            fields.update(
                claimant_name=name,
                claimant_email=email,
                original_work="Mine.",
                article_url=random.choice(CATALOGUE["articles"]),
                good_faith="on",
                accuracy="on",
                signature=name,
            )
        posted = self.call("POST", path, FLOOD_NAMES[scope], data=fields, files=files)
        if posted.status_code == 429:
            self.refused.add(scope)
