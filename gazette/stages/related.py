"""Related articles: for each article, the few sharing most of its tags.

Apart from the site model because it is most of the model's time at scale, and
its fast path (`related_lists`) must give exactly what `related_articles`, the
plain definition, gives.
"""

from __future__ import annotations

import bisect
import datetime as dt
import heapq
from itertools import compress, filterfalse, islice
from operator import eq

from gazette.model import Article, Term

RELATED_COUNT = 4
RELATED_WINDOW = 40  # candidates looked at per shared tag, nearest in time first

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_MICROSECOND = dt.timedelta(microseconds=1)


def related_articles(
    article: Article,
    by_tag: dict[str, tuple[list[Article], list[float]]],  # tag as spelled -> its articles
    micros: dict[int, int] | None = None,
) -> list[Article]:
    """Articles sharing the most tags, nearest in time first among equals.

    `micros` (each article's time in whole microseconds, by id) only saves work:
    a site of tens of thousands of articles calls this once per article."""
    if micros is None:
        micros = {}
    scores: dict[int, int] = {}
    found: dict[int, Article] = {}
    stamp = -article.date.timestamp()
    for tag in article.tags:
        members, keys = by_tag.get(tag, ([], []))
        # members are newest first; look only at the ones nearest this article in time
        if len(members) > RELATED_WINDOW:
            at = bisect.bisect_left(keys, stamp)
            window = members[max(0, at - RELATED_WINDOW // 2) : at + RELATED_WINDOW // 2]
        else:
            window = members
        for other in window:
            if other is not article:
                key = id(other)
                scores[key] = scores.get(key, 0) + 1
                found[key] = other
    here = micros.get(id(article))
    if here is None:
        here = (article.date - _EPOCH) // _MICROSECOND

    def rank(other: Article) -> tuple[int, int, str]:
        there = micros.get(id(other))
        if there is None:
            there = (other.date - _EPOCH) // _MICROSECOND
        return (-scores[id(other)], abs(there - here), other.path)

    return heapq.nsmallest(RELATED_COUNT, found.values(), key=rank)


def related_lists(articles: list[Article], tag_of: dict[str, Term]) -> list[list[Article]]:
    """`related_articles` for every article at once: the same lists, in far less time.

    Called per article it costs a Python call per candidate (about 90 each).
    Here each article is a number, its rank in (time, path) order, so a tag's
    window is a slice of numbers and ranking is mostly sorting them in C.
    """
    micros = [(a.date - _EPOCH) // _MICROSECOND for a in articles]
    paths = [a.path for a in articles]
    if len(set(paths)) != len(paths) or len({id(a) for a in articles}) != len(articles):
        # ranks need each article once with a path of its own; a site always
        # has that, any other input keeps the plain version's exact result
        return _related_plain(articles, tag_of)
    in_time = sorted(zip(micros, paths, range(len(articles)), strict=True))
    time_of = [when for when, _, _ in in_time]
    path_of = [path for _, path, _ in in_time]
    # timestamp() of an aware datetime is its microseconds / 10**6, rounded once
    stamp_of = [-(when / 1_000_000) for when in time_of]
    rank_at = [0] * len(articles)  # article's index -> its rank
    for rank, (_, _, index) in enumerate(in_time):
        rank_at[index] = rank
    rank_of = {id(a): rank_at[i] for i, a in enumerate(articles)}
    by_rank = [articles[index] for _, _, index in in_time]
    once = True  # no article listed twice under one tag (as two spellings of it)
    of_term: dict[int, tuple[list[int], list[float]]] = {}
    tag_ranks: dict[str, tuple[list[int], list[float]]] = {}  # tag as spelled -> its members
    for name, term in tag_of.items():
        entry = of_term.get(id(term))
        if entry is None:
            ranks = [rank_of[id(a)] for a in term.articles]
            once = once and len(set(ranks)) == len(ranks)
            entry = of_term[id(term)] = (ranks, list(map(stamp_of.__getitem__, ranks)))
        tag_ranks[name] = entry
    half = RELATED_WINDOW // 2
    none: tuple[list[int], list[float]] = ([], [])
    results = []
    for article, me in zip(articles, rank_at, strict=True):
        stamp = stamp_of[me]
        near: list[int] = []  # every tag's window of candidates, then sorted
        for tag in article.tags:
            ranks, keys = tag_ranks.get(tag, none)
            if len(ranks) > RELATED_WINDOW:
                at = bisect.bisect_left(keys, stamp)
                ranks = ranks[max(0, at - half) : at + half]
            near += ranks
        near.sort()
        shared = len(article.tags) > 1 or not once  # can a candidate score 2 or more?
        results.append(list(map(by_rank.__getitem__, _best(near, me, shared, time_of, path_of))))
    return results


def _related_plain(articles: list[Article], tag_of: dict[str, Term]) -> list[list[Article]]:
    stamps = {id(a): -a.date.timestamp() for a in articles}
    micros = {id(a): (a.date - _EPOCH) // _MICROSECOND for a in articles}
    keys = {id(t): [stamps[id(a)] for a in t.articles] for t in tag_of.values()}
    by_tag = {name: (t.articles, keys[id(t)]) for name, t in tag_of.items()}
    return [related_articles(a, by_tag, micros) for a in articles]


def _best(
    near: list[int], me: int, shared: bool, time_of: list[int], path_of: list[str]
) -> list[int]:
    """The RELATED_COUNT best of `near` (sorted ranks, one per window a candidate
    is in) for the article ranked `me`: most shared tags, then nearest, then path.

    A candidate's score is how many times it stands (in a row) in `near`. Those
    scoring 2 or more are few and all ranked; of the rest only the nearest on
    each side of `me` can win. Ranks follow (time, path), so after `me` the
    first ones found are the best; before it paths run backwards among equal
    times, so the walk goes on past `need` while the time stays the same."""
    here = time_of[me]
    best: list[int] = []
    scores: dict[int, int] = {}
    if shared:
        for rank in compress(near, map(eq, near, islice(near, 1, None))):
            scores[rank] = scores.get(rank, 1) + 1
        scores.pop(me, None)
        if scores:
            ranked = [(-n, abs(time_of[r] - here), path_of[r], r) for r, n in scores.items()]
            ranked.sort()
            best = [r for _, _, _, r in ranked[:RELATED_COUNT]]
    need = RELATED_COUNT - len(best)
    if need:
        # shared candidates fill sum(scores) places of `near`, so this many
        # places on each side of `me` hold `need` others (and one more)
        reach = need + 1 + sum(scores.values())
        start = bisect.bisect_left(near, me)
        end = bisect.bisect_right(near, me, start)
        after = list(filterfalse(scores.__contains__, near[end : end + reach]))[:need]
        low = max(0, start - reach)
        while True:
            before = list(filterfalse(scores.__contains__, near[low:start]))
            if len(before) > need:
                edge = time_of[before[-need]]
                cut = len(before) - need
                while cut > 0 and time_of[before[cut - 1]] == edge:
                    cut -= 1
                if cut == 0 and low > 0:  # that time goes on further back
                    low = 0
                    continue
                del before[:cut]
            break
        ones = [(abs(time_of[r] - here), path_of[r], r) for r in after + before]
        ones.sort()
        best += [r for _, _, r in ones[:need]]
    return best
