"""Store text fingerprints and find earlier pieces a text overlaps with.

Candidates come from shared LSH band keys (one indexed query), and are then
scored by comparing MinHash signatures, so the check costs the same with
100 or 100,000 articles on file.
"""

from django.db import transaction
from django.utils.html import strip_tags

from blog.models import Article

from . import analysis
from .models import Fingerprint, FingerprintBand


def text_of(title, body):
    return f"{title}\n{strip_tags(body or '')}"


@transaction.atomic
def store_fingerprint(*, article=None, submission=None):
    """Create or replace the fingerprint of an article or a submission. Returns it."""
    owner = article or submission
    fp = analysis.fingerprint(text_of(owner.title, owner.body))
    lookup = {"article": article} if article else {"submission": submission}
    fingerprint, _created = Fingerprint.objects.update_or_create(
        **lookup, defaults={"signature": fp.signature, "words": fp.words}
    )
    fingerprint.bands.all().delete()
    FingerprintBand.objects.bulk_create(FingerprintBand(fingerprint=fingerprint, key=key) for key in set(fp.band_keys))
    return fingerprint


def find_similar(fingerprint, *, threshold=analysis.DUPLICATE_THRESHOLD, limit=10):
    """Articles and submissions whose estimated overlap with `fingerprint` is at least `threshold`.

    Returns dicts (kind, id, title, score), best first.
    """
    keys = list(fingerprint.bands.values_list("key", flat=True))
    candidates = (
        Fingerprint.objects.filter(bands__key__in=keys)
        .exclude(pk=fingerprint.pk)
        .distinct()
        .select_related("article", "submission")
    )
    matches = []
    for candidate in candidates:
        score = analysis.estimate_similarity(fingerprint.signature, candidate.signature)
        if score < threshold:
            continue
        owner = candidate.article or candidate.submission
        matches.append(
            {
                "kind": "article" if candidate.article_id else "submission",
                "id": owner.pk,
                "title": owner.title,
                "score": round(score, 2),
            }
        )
    matches.sort(key=lambda m: -m["score"])
    return matches[:limit]


def fingerprint_missing_articles(batch_size=500):
    """Fingerprint every article that has none (after bulk imports). Returns how many were done."""
    done = 0
    while True:
        batch = list(Article.objects.filter(fingerprint__isnull=True).order_by("pk")[:batch_size])
        if not batch:
            return done
        with transaction.atomic():
            prints = [(article, analysis.fingerprint(text_of(article.title, article.body))) for article in batch]
            created = Fingerprint.objects.bulk_create(
                Fingerprint(article=article, signature=fp.signature, words=fp.words) for article, fp in prints
            )
            if any(f.pk is None for f in created):  # backends that do not return ids
                by_article = dict(Fingerprint.objects.filter(article__in=batch).values_list("article_id", "pk"))
                for f in created:
                    f.pk = by_article[f.article_id]
            FingerprintBand.objects.bulk_create(
                FingerprintBand(fingerprint_id=f.pk, key=key)
                for f, (_article, fp) in zip(created, prints, strict=True)
                for key in set(fp.band_keys)
            )
        done += len(batch)
