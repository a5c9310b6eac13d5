"""The load test's visitors who mean well, on locust: the Visitor every simulated user is (one
client address per visit, each request judged), and the readers, commenters, contributors and
people filing copyright complaints, with what they type. bench/locustfile.py runs them.

bench/loadtest.py passes, in the environment: LOADTEST_CATALOGUE, the URLs to visit (bench/catalogue.py);
and LOADTEST_CLIENT_ADDRESSES=1 when each visitor may post from its own loopback address.
"""

import itertools
import json
import os
import random
import struct
import time
import uuid
import zlib
from pathlib import Path
from urllib.parse import urlsplit

from locust import HttpUser, between, task
from locust.clients import LocustHttpAdapter
from urllib3 import PoolManager

from bench.html_forms import find_form
from bench.locust_tally import TALLY
from bench.traffic import client_address, judge_status

CATALOGUE = json.loads(Path(os.environ["LOADTEST_CATALOGUE"]).read_text())
PER_CLIENT_ADDRESSES = os.environ.get("LOADTEST_CLIENT_ADDRESSES") == "1"
TIMEOUT = 60  # wall-clock: what the load test measures (gunicorn kills a worker silent for 30 s)
COMMENTS, SUBMIT, COMPLAINT = "/comments/post/", "/contribute/", "/copyright/complaint/"
TOKEN = "/comments/token/"
REDIRECTS = {301, 302, 303, 307, 308}
FILLER = (
    "the a of to and in that it is was for on with as by at from this but not have they which one "
    "battery chip network privacy camera screen model cloud update price launch review phone laptop"
).split()
WORDS = CATALOGUE["words"] or FILLER

_addresses = itertools.count()


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
        # As static/js/comments.js does when the reader starts typing: a token of this reader's own
        # (the page's, cached for everyone, never passes on its own: discussion/forms.py).
        fresh = self.call("GET", TOKEN, "comment: token", params={"object_pk": form["fields"]["object_pk"]})
        if fresh.status_code != 200:
            return
        form["fields"].update(fresh.json())
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
