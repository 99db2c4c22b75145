"""Which keywords each platform's spider searches: sets from the settings, by name.

`[crawl.keywords]` holds named keyword sets (`default` and one per category code);
`[crawl.platform_keywords.<platform>]` adds platform-specific words to a set (1688
sellers write 批发, PDD buyers search 家用). Explicit queries override both.
"""

from __future__ import annotations

from typing import Iterable

from firewatch.core.exceptions import SettingsError
from firewatch.core.settings import Settings


def keyword_plan(settings: Settings, platforms: Iterable[str], sets: Iterable[str] = (),
                 queries: Iterable[str] = ()) -> dict[str, list[str]]:
    """Keywords per platform: the queries if given, else the named sets (default: "default")."""
    named = settings.crawl.keywords
    per_platform = settings.crawl.platform_keywords
    queries = [q for q in queries if q.strip()]
    sets = list(sets) or ["default"]
    unknown = [s for s in sets if s not in named]
    if unknown and not queries:
        raise SettingsError(f"no keyword set {', '.join(unknown)} in [crawl.keywords]; "
                            f"known sets: {', '.join(sorted(named))}")
    plan: dict[str, list[str]] = {}
    for platform in platforms:
        words = list(queries) if queries else [
            w for s in sets for w in list(named[s]) + list((per_platform.get(platform) or {}).get(s, []))]
        plan[platform] = list(dict.fromkeys(words))  # keep order, drop repeats
    return plan
