"""The load test's visitors: locust runs this file for bench/loadtest.py, which says what they do.

bench/loadtest.py passes, in the environment: LOADTEST_CATALOGUE, the URLs to visit (its
catalogue()); LOADTEST_TALLY, where to write the statuses and accepted posts at the end; and
LOADTEST_CLIENT_ADDRESSES=1 when each visitor may post from its own loopback address.

Every request goes through Visitor.call(): a 5xx or a connection error fails it; bad input (the
Vandal's, with `expect`) also fails when it gets anything but the expected 4xx. Any other status
is a success, counted under its code.
"""

import itertools
import json
import os
import random
import struct
import time
import traceback
import uuid
import zlib
from collections import Counter, defaultdict
from pathlib import Path
from urllib.parse import urlsplit

from locust import HttpUser, between, events, task
from locust.clients import LocustHttpAdapter
from urllib3 import PoolManager

from bench.loadtest import (
    FLOOD_NAMES,
    client_address,
    find_form,
    is_accepted,
    judge_status,
    post_scope,
    refusal_reason,
)

CATALOGUE = json.loads(Path(os.environ["LOADTEST_CATALOGUE"]).read_text())
PER_CLIENT_ADDRESSES = os.environ.get("LOADTEST_CLIENT_ADDRESSES") == "1"
TIMEOUT = 60  # wall-clock: what the load test measures (gunicorn kills a worker silent for 30 s)
COMMENTS, SUBMIT, COMPLAINT = "/comments/post/", "/contribute/", "/copyright/complaint/"
REDIRECTS = {301, 302, 303, 307, 308}
FILLER = (
    "the a of to and in that it is was for on with as by at from this but not have they which one "
    "battery chip network privacy camera screen model cloud update price launch review phone laptop"
).split()
WORDS = CATALOGUE["words"] or FILLER

_addresses = itertools.count()

# What bench/loadtest.py reads back (its summarise()): per request name the methods, response
# times, statuses and failures; posts answered 2xx/3xx by scope; bad input not refused; the
# failed requests, one entry per name and error; exceptions raised here; the run's span.
NAMES = defaultdict(lambda: {"methods": set(), "times_ms": [], "statuses": Counter(), "failures": 0})
TALLY = {"accepted": Counter(), "refused": defaultdict(Counter), "unexpected": 0, "first_start": None, "last_end": None}
FAILED, EXCEPTIONS = {}, {}


@events.request.add_listener
def tally(request_type, name, response_time, response, exception, start_time=None, url=None, **kwargs):
    status = getattr(response, "status_code", 0) or 0
    entry = NAMES[name]
    entry["methods"].add(request_type)
    entry["times_ms"].append(round(response_time, 1))
    entry["statuses"][str(status)] += 1
    if start_time is not None:
        end = start_time + response_time / 1000
        TALLY["first_start"] = min(TALLY["first_start"] or start_time, start_time)
        TALLY["last_end"] = max(TALLY["last_end"] or end, end)
    scope = post_scope(request_type, urlsplit(url or "").path)
    if scope and status and is_accepted(status):
        TALLY["accepted"][scope] += 1
    elif scope and 400 <= status < 500 and not name.startswith("bad: "):
        # Why a real visitor's post was refused (a 429 says it with its status).
        reason = refusal_reason(getattr(response, "text", "")) if status != 429 else ""
        TALLY["refused"][name][f"{status} {reason}".strip()] += 1
    if exception is not None:
        entry["failures"] += 1
        error = str(exception)[:300]
        failed = FAILED.setdefault(
            (name, error),
            {"name": name, "error": error, "method": request_type, "url": url, "count": 0, "body": ""},
        )
        failed["count"] += 1
        if not failed["body"] and status:
            failed["body"] = (getattr(response, "text", "") or "")[:500]


@events.user_error.add_listener
def user_error(user_instance, exception, tb, **kwargs):
    trace = "".join(traceback.format_exception(type(exception), exception, tb))
    entry = EXCEPTIONS.setdefault(trace, {"message": repr(exception), "traceback": trace, "count": 0})
    entry["count"] += 1


@events.quitting.add_listener
def write_tally(environment, **kwargs):
    data = {
        **TALLY,
        "names": {name: {**entry, "methods": sorted(entry["methods"])} for name, entry in NAMES.items()},
        "failed": sorted(FAILED.values(), key=lambda entry: -entry["count"]),
        "exceptions": sorted(EXCEPTIONS.values(), key=lambda entry: -entry["count"]),
    }
    Path(os.environ["LOADTEST_TALLY"]).write_text(json.dumps(data))


# WHAT VISITORS TYPE


def words(count):
    return " ".join(random.choice(WORDS if random.random() < 0.3 else FILLER) for _ in range(count))


def person():
    first = random.choice(["Ana", "Ben", "Chloé", "Dmitri", "Eun-ji", "Farid", "Grace", "Hiro", "Ines", "José"])
    last = random.choice(["Okafor", "Müller", "Smith", "Nguyen", "García", "O'Brien", "Kowalski", "Dubois"])
    token = uuid.uuid4().hex[:10]
    return f"{first} {last}", f"{first.lower()}.{token}@example.org".replace("é", "e")


def article_html(word_count):
    paragraphs = []
    while word_count > 0:
        size = min(word_count, random.randint(30, 80))
        paragraphs.append(f"<p>{words(size).capitalize()}.</p>")
        word_count -= size
    if random.random() < 0.3:
        paragraphs.insert(1, f"<h2>{words(4).capitalize()}</h2>")
    return "".join(paragraphs)


def png(width, height):
    """A small valid PNG of one random colour."""

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    row = b"\x00" + bytes(random.randrange(256) for _ in range(3)) * width
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = zlib.compress(row * height)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def location(response):
    """A redirect's target as a path, without its #fragment."""
    parts = urlsplit(response.headers.get("Location", ""))
    return parts.path + (f"?{parts.query}" if parts.query else "")


# VISITORS


class Visitor(HttpUser):
    abstract = True

    def on_start(self):
        self.move()

    def move(self):
        """Become a new visitor: another client address (so the rate limits count each apart), no cookies."""
        self.client.cookies.clear()
        if not PER_CLIENT_ADDRESSES:
            return
        old = self.client.adapters.get("http://")
        pool = PoolManager(num_pools=2, maxsize=2, source_address=(client_address(next(_addresses)), 0))
        self.client.mount("http://", LocustHttpAdapter(pool_manager=pool))
        if old is not None:
            old.close()

    def call(self, method, path, name, expect=None, **kwargs):
        """One request, judged by judge_status(); redirects are not followed."""
        kwargs.setdefault("allow_redirects", False)
        kwargs.setdefault("timeout", TIMEOUT)
        with self.client.request(method, path, name=name, catch_response=True, **kwargs) as response:
            problem = judge_status(response.status_code, expect)
            if problem is None:
                response.success()
            else:
                if 0 < response.status_code < 500:
                    TALLY["unexpected"] += 1
                response.failure(problem)
        return response

    def form(self, page, action):
        """The form posting to `action` on a page that was answered 200, or None."""
        return find_form(page.text, action) if page.status_code == 200 else None


class Reader(Visitor):
    weight = 14
    wait_time = between(0.3, 2)

    @task(8)
    def home(self):
        if random.random() < 0.2:
            self.call("GET", f"/?page={random.randint(2, 60)}", "home ?page")
        else:
            self.call("GET", "/", "home")

    @task(20)
    def article(self):
        self.call("GET", random.choice(CATALOGUE["articles"]), "article")

    @task(4)
    def tag(self):
        self.call("GET", random.choice(CATALOGUE["tags"]), "tag")

    @task(4)
    def category(self):
        page = f"?page={random.randint(2, 20)}" if random.random() < 0.3 else ""
        self.call("GET", random.choice(CATALOGUE["categories"]) + page, "category")

    @task(3)
    def author(self):
        self.call("GET", random.choice(CATALOGUE["authors"]), "author")

    @task(3)
    def archive(self):
        self.call("GET", random.choice(CATALOGUE["months"] + CATALOGUE["years"]), "archive")

    @task(6)
    def search(self):
        terms = random.sample(WORDS, min(len(WORDS), random.randint(1, 3)))
        roll = random.random()
        if roll < 0.15 and len(terms) > 1:
            query = '"' + " ".join(terms) + '"'
        elif roll < 0.25 and len(terms) > 1:
            query = " ".join(terms[:-1]) + " -" + terms[-1]
        else:
            query = " ".join(terms)
        params = {"q": query}
        if random.random() < 0.15:
            params["page"] = random.randint(2, 5)
        self.call("GET", "/search/", "search", params=params)

    @task(3)
    def feed(self):
        self.call("GET", random.choice(CATALOGUE["feeds"]), "feed")

    @task(2)
    def sitemap(self):
        self.call("GET", random.choice(CATALOGUE["sitemaps"]), "sitemap")

    @task(2)
    def page(self):
        if CATALOGUE["pages"]:
            self.call("GET", random.choice(CATALOGUE["pages"]), "page")

    @task(3)
    def not_found(self):
        slug = f"no-such-{uuid.uuid4().hex[:8]}"
        month = random.choice(CATALOGUE["months"])
        path = random.choice([f"{month}{slug}/", f"/tag/{slug}/", f"/category/{slug}/", f"/pages/{slug}/", f"/{slug}"])
        self.call("GET", path, "404")

    @task(4)
    def conditional(self):
        """A page, then the same page again with its validators, as a browser revalidates: 304 expected."""
        path = random.choice(["/", random.choice(CATALOGUE["articles"]), random.choice(CATALOGUE["feeds"])])
        first = self.call("GET", path, "conditional: first")
        headers = {}
        if first.headers.get("ETag"):
            headers["If-None-Match"] = first.headers["ETag"]
        if first.headers.get("Last-Modified"):
            headers["If-Modified-Since"] = first.headers["Last-Modified"]
        if headers:
            self.call("GET", path, "conditional: revalidate", headers=headers)


class Commenter(Visitor):
    weight = 4
    wait_time = between(1, 4)

    @task
    def comment(self):
        self.move()
        if not CATALOGUE["commentable"]:
            return
        url = random.choice(CATALOGUE["commentable"])["url"]
        if CATALOGUE["replies"] and random.random() < 0.25:
            reply = random.choice(CATALOGUE["replies"])
            url = f"{reply['url']}?replyto={reply['parent']}"
        form = self.form(self.call("GET", url, "comment: article"), COMMENTS)
        if form is None:
            return
        # Reading and typing take longer than the minimum the form insists on.
        time.sleep(CATALOGUE["comment_min_seconds"] + random.uniform(0.5, 3))
        name, email = person()
        if CATALOGUE["commenter_emails"] and random.random() < 0.4:
            email = random.choice(CATALOGUE["commenter_emails"])
        text = f"{words(random.randint(8, 60)).capitalize()}. ({uuid.uuid4().hex[:8]})"
        if random.random() < 0.2:
            text += " See https://example.org/notes for more."
        fields = {**form["fields"], "comment": text, "name": name, "email": email}
        if random.random() < 0.3:
            fields["url"] = "example.org/" + name.split()[0].lower()
        if random.random() < 0.3:
            fields["notify_on_approval"] = "on"
        posted = self.call("POST", COMMENTS, "comment: post", data=fields)
        if posted.status_code in REDIRECTS:
            self.call("GET", location(posted), "comment: after post")


class Contributor(Visitor):
    weight = 2
    wait_time = between(2, 5)

    @task
    def contribute(self):
        self.move()
        form = self.form(self.call("GET", SUBMIT, "contribute: form"), SUBMIT)
        if form is None:
            return
        time.sleep(random.uniform(1, 4))
        name, email = person()
        # One in ten forgets the length the guidelines ask for: refused with a 400, nothing stored.
        word_count = random.randint(10, 40) if random.random() < 0.1 else random.randint(120, 900)
        fields = {
            **form["fields"],
            "name": name,
            "email": email,
            "title": words(random.randint(4, 10)).capitalize(),
            "body": article_html(word_count),
            "bio": f"{name} writes about {words(3)}.",
            "suggested_tags": ", ".join(random.sample(WORDS, min(len(WORDS), 3))),
            "consent": "on",
        }
        # As a browser sends the form: multipart, the empty file inputs included.
        files = [("document", ("", b"", "application/octet-stream"))]
        if random.random() < 0.2:
            files.append(("images", (f"picture-{random.randint(1, 99)}.png", png(320, 200), "image/png")))
        else:
            files.append(("images", ("", b"", "application/octet-stream")))
        posted = self.call("POST", SUBMIT, "contribute: post", data=fields, files=files)
        if posted.status_code in REDIRECTS:
            self.call("GET", location(posted), "contribute: thanks")


class ComplaintFiler(Visitor):
    weight = 1
    wait_time = between(2, 5)

    @task
    def complain(self):
        self.move()
        form = self.form(self.call("GET", COMPLAINT, "complaint: form"), COMPLAINT)
        if form is None:
            return
        time.sleep(random.uniform(1, 4))
        name, email = person()
        article = random.choice(CATALOGUE["articles"])
        fields = {
            **form["fields"],
            "claimant_name": name,
            "claimant_email": email,
            "organisation": random.choice(["", "Rights Holder Ltd", "Photo Agency GmbH"]),
            "original_work": f"My article “{words(5)}”, https://example.org/{uuid.uuid4().hex[:6]}/",
            "article_url": random.choice([self.host + article, article, article.rstrip("/")]),
            "good_faith": "on",
            "accuracy": "on",
            # One in ten signs with another name: refused with a 400.
            "signature": name if random.random() >= 0.1 else "Someone Else",
        }
        posted = self.call("POST", COMPLAINT, "complaint: post", data=fields)
        if posted.status_code in REDIRECTS:
            self.call("GET", location(posted), "complaint: received")


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
