"""Store text fingerprints and find earlier pieces a text overlaps with.

Candidates come from shared LSH band keys (one indexed query), and are then
scored by comparing MinHash signatures, so the check costs the same with
100 or 100,000 articles on file.
"""

from django.db import transaction
from django.db.models import Count
from django.utils.html import strip_tags

from blog.models import Article

from . import fingerprints
from .models import Fingerprint, FingerprintBand, Submission


def text_of(title, body):
    return f"{title}\n{strip_tags(body or '')}"


def fingerprint_of(title, body):
    """The MinHash fingerprint of a piece's text, computed in memory (nothing is stored)."""
    return fingerprints.fingerprint(text_of(title, body))


@transaction.atomic
def store_fingerprint(*, article=None, submission=None, fp=None, new=False):
    """Create or replace the fingerprint of an article or a submission. Returns it.

    `fp` is a fingerprint already computed with `fingerprint_of`; `new=True` (a piece
    that has no fingerprint yet) skips looking for one to replace.
    """
    owner = article or submission
    fp = fp or fingerprint_of(owner.title, owner.body)
    lookup = {"article": article} if article else {"submission": submission}
    if new:
        fingerprint = Fingerprint.objects.create(**lookup, signature=fp.signature, words=fp.words)
    else:
        fingerprint, _created = Fingerprint.objects.update_or_create(
            **lookup, defaults={"signature": fp.signature, "words": fp.words}
        )
        fingerprint.bands.all().delete()
    FingerprintBand.objects.bulk_create(FingerprintBand(fingerprint=fingerprint, key=key) for key in set(fp.band_keys))
    return fingerprint


def find_similar(fp, *, exclude=None, threshold=fingerprints.DUPLICATE_THRESHOLD, limit=10, candidates=50):
    """Articles and submissions whose estimated overlap with the fingerprint `fp` is at least `threshold`.

    `fp` comes from `fingerprint_of` (it need not be stored yet); `exclude` holds
    stored Fingerprints (pks or a queryset of them) to leave out: the piece's own,
    when it is checked again.
    The `candidates` fingerprints sharing the most band keys are scored (one grouped
    query on the band index, one to load their signatures), so the cost stays flat
    however many similar pieces are on file. Returns dicts (kind, id, title, score),
    best first.
    """
    best = FingerprintBand.objects.filter(key__in=set(fp.band_keys))
    if exclude is not None:
        best = best.exclude(fingerprint__in=exclude)
    best = best.values("fingerprint").annotate(hits=Count("pk")).order_by("-hits")[:candidates]
    scored = []
    for candidate in Fingerprint.objects.filter(pk__in=[row["fingerprint"] for row in best]):
        score = fingerprints.estimate_similarity(fp.signature, candidate.signature)
        if score >= threshold:
            scored.append((score, candidate))
    scored.sort(key=lambda pair: -pair[0])
    scored = scored[:limit]
    titles = {
        ("article", pk): title
        for pk, title in Article.objects.filter(pk__in=[c.article_id for _s, c in scored if c.article_id]).values_list(
            "pk", "title"
        )
    }
    titles.update(
        (("submission", pk), title)
        for pk, title in Submission.objects.filter(
            pk__in=[c.submission_id for _s, c in scored if c.submission_id]
        ).values_list("pk", "title")
    )
    matches = []
    for score, candidate in scored:
        kind = "article" if candidate.article_id else "submission"
        pk = candidate.article_id or candidate.submission_id
        matches.append({"kind": kind, "id": pk, "title": titles.get((kind, pk), ""), "score": round(score, 2)})
    return matches


def fingerprint_missing_articles(batch_size=500):
    """Fingerprint every article that has none (after bulk imports). Returns how many were done."""
    done = 0
    while True:
        batch = list(Article.objects.filter(fingerprint__isnull=True).order_by("pk")[:batch_size])
        if not batch:
            return done
        with transaction.atomic():
            prints = [(article, fingerprints.fingerprint(text_of(article.title, article.body))) for article in batch]
            created = Fingerprint.objects.bulk_create(
                Fingerprint(article=article, signature=fp.signature, words=fp.words) for article, fp in prints
            )
            FingerprintBand.objects.bulk_create(
                FingerprintBand(fingerprint_id=f.pk, key=key)
                for f, (_article, fp) in zip(created, prints, strict=True)
                for key in set(fp.band_keys)
            )
        done += len(batch)
