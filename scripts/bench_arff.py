#!/usr/bin/env python3
"""Times the reference ARFF reader (liac-arff: `pip install liac-arff`) on ARFF files.

Usage: bench_arff.py [--repeats N] FILE...
Prints one JSON object: {"reader": "liac-arff <version>", "files": {FILE: {"bytes": B, "seconds": best}}}.
The time covers reading the text and decoding every row (sparse rows expanded, as `bench arff` does).
"""
import argparse
import json
import os
import time

import arff


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("files", nargs="+")
    args = parser.parse_args()
    results = {}
    for path in args.files:
        best = float("inf")
        for _ in range(args.repeats):
            start = time.perf_counter()
            with open(path) as handle:
                data = arff.load(handle)
            best = min(best, time.perf_counter() - start)
            assert len(data["data"]) > 0
        results[path] = {"bytes": os.path.getsize(path), "seconds": best}
    print(json.dumps({"reader": "liac-arff " + getattr(arff, "__version__", "?"), "files": results}))


if __name__ == "__main__":
    main()
