"""Name matching benchmark: `python bench/bench_matching.py [--comparisons N] [--out FILE]`.

Pure Python, no database. Measures, on the synthetic Moroccan names of
`himaya/children/matching_testdata.py`:
- match_score throughput over N candidate comparisons (default 100,000: 100 queries × 1,000
  candidates, the size of a retrieved candidate list), with cold caches and again warm, and
  the cost of one comparison with every cache cleared (names never seen before);
- candidate retrieval through `search_keys`: how many of 100,000 records on file a query
  pulls by its name keys, alone and narrowed to ±2 birth years;
- recall and false-match rates of `name_similarity` and `match_score` at several thresholds.
Prints JSON; `--out FILE` also writes it.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.machine import machine_info
from himaya.children import matching
from himaya.children import matching_testdata as testdata

THRESHOLDS = (0.75, 0.80, 0.85, 0.90)
CACHED = (
    matching._symbols_similarity,
    matching._names_similarity,
    matching._name,
    matching._latin_readings,
    matching._arabic_readings,
    matching.normalize_latin,
    matching.normalize_arabic,
)


def _clear_caches() -> None:
    for function in CACHED:
        function.cache_clear()


def _machine() -> dict:
    return {**machine_info()}


def _throughput(comparisons: int) -> dict:
    queries = list(testdata.candidate_pool(100, seed=1))
    per_query = max(1, comparisons // len(queries))
    candidates = list(testdata.candidate_pool(per_query, seed=2))
    total = len(queries) * len(candidates)

    def run() -> float:
        started = time.perf_counter()
        for query in queries:
            for candidate in candidates:
                matching.match_score(query, candidate)
        return time.perf_counter() - started

    _clear_caches()
    cold = run()
    warm = run()

    uncached_pairs = list(zip(queries * 20, candidates[: len(queries) * 20], strict=False))[:2000]
    started = time.perf_counter()
    for query, candidate in uncached_pairs:
        _clear_caches()
        matching.match_score(query, candidate)
    uncached = time.perf_counter() - started
    return {
        "comparisons": total,
        "cold_seconds": round(cold, 2),
        "cold_per_second": round(total / cold),
        "warm_per_second": round(total / warm),
        "uncached_ms_each": round(uncached / len(uncached_pairs) * 1000, 3),
        "uncached_per_second": round(len(uncached_pairs) / uncached),
    }


def _retrieval(on_file: int = 100_000, queries: int = 500) -> dict:
    """An inverted index key → record numbers, as a database index on the keys would be."""
    started = time.perf_counter()
    index: dict[str, set[int]] = defaultdict(set)
    records = list(testdata.candidate_pool(on_file, seed=3))
    for number, record in enumerate(records):
        for key in matching.search_keys(record):
            index[key].add(number)
    build = time.perf_counter() - started
    by_name, by_two_names, by_name_and_year = [], [], []
    for query in testdata.candidate_pool(queries, seed=4):
        keys = matching.search_keys(query, query=True)
        found: set[int] = set()
        hits: dict[int, int] = defaultdict(int)
        for key in keys:
            if key.startswith("n:"):
                found |= index.get(key, set())
                for number in index.get(key, ()):
                    hits[number] += 1
        by_name.append(len(found))
        by_two_names.append(sum(1 for count in hits.values() if count >= 2))
        years: set[int] = set()
        for key in keys:
            if key.startswith("y:"):
                years |= index.get(key, set())
        by_name_and_year.append(len(found & years) if years else len(found))
    return {
        "records_on_file": on_file,
        "keys_per_record": round(
            sum(len(matching.search_keys(r)) for r in records[:1000]) / 1000, 1
        ),
        "index_build_seconds": round(build, 1),
        "candidates_by_name_keys_median": statistics.median(by_name),
        "candidates_by_name_keys_p95": sorted(by_name)[int(0.95 * len(by_name))],
        "candidates_by_two_name_keys_median": statistics.median(by_two_names),
        "candidates_by_two_name_keys_p95": sorted(by_two_names)[int(0.95 * len(by_two_names))],
        "candidates_by_name_and_year_median": statistics.median(by_name_and_year),
        "candidates_by_name_and_year_p95": sorted(by_name_and_year)[
            int(0.95 * len(by_name_and_year))
        ],
    }


def _rates(scores: list[float]) -> dict:
    return {f"{t:.2f}": round(sum(s >= t for s in scores) / len(scores), 4) for t in THRESHOLDS}


def _quality() -> dict:
    positives = testdata.positive_pairs(2000)
    negatives = testdata.negative_pairs(2000)
    siblings = testdata.sibling_pairs(2000)
    typos = testdata.typo_pairs(2000)
    same = testdata.identity_pairs(2000, same=True)
    different = testdata.identity_pairs(2000, seed=20261127, same=False)
    pos = [matching.name_similarity(a, b) for a, b in positives]
    neg = [matching.name_similarity(a, b) for a, b in negatives]
    sib = [matching.name_similarity(a, b) for a, b in siblings]
    typo = [matching.name_similarity(a, b) for a, b in typos]
    id_same = [matching.match_score(a, b) for a, b in same]
    id_diff = [matching.match_score(a, b) for a, b in different]
    shared = [
        len({k for k in matching.search_keys(a) if k.startswith("n:")} & matching.search_keys(b))
        for a, b in same
    ]
    return {
        "names_recall": _rates(pos),
        "names_false_match": _rates(neg),
        "names_sibling_match": _rates(sib),
        "names_recall_with_one_typo": _rates(typo),
        "names_positive_score_p05": round(sorted(pos)[len(pos) // 20], 3),
        "names_negative_score_max": round(max(neg), 3),
        "names_sibling_score_max": round(max(sib), 3),
        "identities_recall": _rates(id_same),
        "identities_false_match": _rates(id_diff),
        "identities_retrieved_by_one_name_key": round(sum(n >= 1 for n in shared) / len(shared), 4),
        "identities_retrieved_by_two_name_keys": round(
            sum(n >= 2 for n in shared) / len(shared), 4
        ),
        "typo_pairs_retrieved_by_one_name_key": round(
            sum(
                bool(matching.search_keys(_as_identity(a)) & matching.search_keys(_as_identity(b)))
                for a, b in typos
            )
            / len(typos),
            4,
        ),
    }


def _as_identity(full_name: str) -> matching.ChildIdentity:
    return matching.ChildIdentity(first_name_lat=full_name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--comparisons", type=int, default=100_000)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    results = {
        "machine": _machine(),
        "throughput": _throughput(args.comparisons),
        "retrieval": _retrieval(),
        "quality": _quality(),
    }
    text = json.dumps(results, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
