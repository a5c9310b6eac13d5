"""The comments of the WordPress export's posts, threaded, approved, held or spam, a few pingbacks."""

import datetime

from bench.wxr_format import SITE_TZ, cdata, esc, wp_date, wp_slug
from bench.wxr_text import FIRST_NAMES, LAST_NAMES

COMMENTS_PER_POST = {0: 40, 1: 20, 2: 15, 3: 10, 4: 8, 5: 7}  # weights
APPROVED = {"1": 80, "0": 10, "spam": 10}  # wp:comment_approved, weights


class Comments:
    """The comments of one export, drawn from its random generator `rng` with the words of `text`;
    comment IDs rise across the export, and `summary` counts what was written."""

    def __init__(self, rng, text, summary):
        self.rng = rng
        self.text = text
        self.summary = summary
        self.next_id = 1

    def for_post(self, moment, post_author):
        """The <wp:comment> elements of a post published at `moment` by `post_author`: 0-5 comments,
        threaded under earlier approved ones, approved, held or spam, a few pingbacks."""
        rng = self.rng
        count = rng.choices(list(COMMENTS_PER_POST), weights=list(COMMENTS_PER_POST.values()))[0]
        written, approved_ids = [], []
        when = moment
        for _ in range(count):
            comment_id = self.next_id
            self.next_id += 1
            when += datetime.timedelta(minutes=rng.randint(3, 3000))
            approved = rng.choices(list(APPROVED), weights=list(APPROVED.values()))[0]
            parent = rng.choice(approved_ids) if approved_ids and approved == "1" and rng.random() < 0.5 else 0
            comment_type = rng.choice(["", "comment", "comment"])
            user_id = 0
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            name, email = f"{first} {last}", f"{wp_slug(first + last).replace('-', '')}@example.net"
            url = rng.choice(["", "", "https://example.org/blog/", "http://example.com"])
            content = " ".join(self.text.sentence() for _ in range(rng.randint(1, 4)))
            if rng.random() < 0.1:
                content += "\n\n" + self.text.sentence()
            if approved == "spam":
                spam_link = f'<a href="https://spam.example/pills?id={comment_id}">cheap pills</a>'
                content = f"Great post! Visit {spam_link} {content}"
                url = "https://spam.example/"
            elif rng.random() < 0.03:
                comment_type, approved, parent = "pingback", "1", 0
                name, email, url = "Another Blog", "", f"https://blog.example.net/{comment_id}/"
                content = f"[&#8230;] {self.text.sentence()} [&#8230;]"
                self.summary["pingbacks"] += 1
            elif rng.random() < 0.08:
                user_id, name, email = post_author[0], post_author[3], post_author[2]
            ip = rng.choice(["192.0.2.", "198.51.100.", "203.0.113."]) + str(rng.randrange(1, 255))
            if rng.random() < 0.1:
                ip = f"2001:db8::{rng.randrange(1, 65535):x}"
            local = when.astimezone(SITE_TZ)
            meta = ""
            if approved == "spam":
                meta = (
                    "\n\t\t\t<wp:commentmeta>\n\t\t\t\t<wp:meta_key>"
                    + cdata("akismet_result")
                    + "</wp:meta_key>\n\t\t\t\t<wp:meta_value>"
                    + cdata("true")
                    + "</wp:meta_value>\n\t\t\t</wp:commentmeta>"
                )
            written.append(
                "\t\t<wp:comment>\n"
                f"\t\t\t<wp:comment_id>{comment_id}</wp:comment_id>\n"
                f"\t\t\t<wp:comment_author>{cdata(name)}</wp:comment_author>\n"
                f"\t\t\t<wp:comment_author_email>{cdata(email)}</wp:comment_author_email>\n"
                f"\t\t\t<wp:comment_author_url>{esc(url)}</wp:comment_author_url>\n"
                f"\t\t\t<wp:comment_author_IP>{cdata(ip)}</wp:comment_author_IP>\n"
                f"\t\t\t<wp:comment_date>{cdata(wp_date(local))}</wp:comment_date>\n"
                f"\t\t\t<wp:comment_date_gmt>{cdata(wp_date(when))}</wp:comment_date_gmt>\n"
                f"\t\t\t<wp:comment_content>{cdata(content)}</wp:comment_content>\n"
                f"\t\t\t<wp:comment_approved>{cdata(approved)}</wp:comment_approved>\n"
                f"\t\t\t<wp:comment_type>{cdata(comment_type)}</wp:comment_type>\n"
                f"\t\t\t<wp:comment_parent>{parent}</wp:comment_parent>\n"
                f"\t\t\t<wp:comment_user_id>{user_id}</wp:comment_user_id>{meta}\n"
                "\t\t</wp:comment>"
            )
            if approved == "1" and comment_type != "pingback":
                approved_ids.append(comment_id)
            self.summary["comments"] += 1
            self.summary["comments_by_approved"][approved] += 1
        return written
