"""How the search index is split into parts: how many, and which part holds a story.

Pagefind takes about 2 ms a story, and one index of the whole site would be made
again after any edit: 20 s and more at 10,000 stories. So the stories are indexed
in parts, each a Pagefind bundle of its own, and the search page has Pagefind
merge them in the browser (`mergeIndex`). A story's part follows from a digest of
its file's path, so an edit or a new story changes one part; the number of parts
follows from the number of stories alone, so the search page knows the parts
without asking the index. The first part is the primary bundle at `pagefind/`,
with Pagefind's scripts and styles; the others hold only their index.
"""

from __future__ import annotations

import functools

from gazette.digest import digest

BUNDLE = "pagefind"  # the primary part's folder in output/, where the search page loads it from
# About the most stories a part holds (the parts' average is between half this and
# this). Two costs meet here: Pagefind takes about 2 ms a story, so an edit indexes
# its part again in up to ~2 s whatever the site's size; and each part past the first
# costs a reader two small requests (its entry and metadata files) on their first
# search. 16 parts at 10,000 stories, 128 at 100,000.
PART_SIZE = 1000


def part_count(stories: int) -> int:
    """How many parts an index of `stories` stories has: 1 up to PART_SIZE, else the
    power of two that keeps each part at most about PART_SIZE (16 for 10,000 stories).
    A power of two, so that when the count doubles each part splits in two."""
    count = 1
    while count * PART_SIZE < stories:
        count *= 2
    return count


def part_of(path: str, count: int) -> int:
    """The part of the story whose file is `path` (its place in content/), of `count`:
    the same in every build and on every machine."""
    return 0 if count == 1 else _number(path) % count


@functools.lru_cache(maxsize=1 << 18)  # each story's, asked again on every rebuild
def _number(path: str) -> int:
    return int(digest(path), 16)


def part_folder(number: int) -> str:
    """Where part `number` lands in output/, site-relative and without a slash at the
    end: nested in the primary's folder, never a prefix of it (Pagefind's mergeIndex
    skips an index whose folder the primary's starts with)."""
    return BUNDLE if number == 0 else f"{BUNDLE}/parts/{number}"


def merged_folders(stories: int) -> list[str]:
    """The folders the search page merges into the primary index, each ending in '/'."""
    return [part_folder(number) + "/" for number in range(1, part_count(stories))]
