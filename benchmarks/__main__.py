"""``python -m benchmarks [--quick|--smoke] [--scale N]... [--only NAME]...`` (``make bench``)."""

from __future__ import annotations

import argparse
import asyncio
import shutil
import sys
import tempfile
from pathlib import Path

from benchmarks.context import InfraUnavailable
from benchmarks.runner import DEFAULT_SCALES, SUITE, SuiteOptions, run_suite
from benchmarks.sizes import Mode
from shared.logging import configure_logging

RESULTS = Path(__file__).with_name("results")


def parse_options(argv: list[str]) -> tuple[SuiteOptions, bool]:
    """Options from the command line, and whether to keep the scratch folder."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="LearnLoop benchmarks on local Kafka and PostgreSQL (benchmarks/README.md)",
    )
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="small sizes, seconds each")
    size.add_argument("--smoke", action="store_true", help="tiny sizes: proves the harness runs")
    parser.add_argument(
        "--scale", type=int, action="append", help="data multiplier (repeat; full default: 1 10)"
    )
    parser.add_argument("--only", action="append", choices=SUITE, help="run this one (repeat)")
    parser.add_argument("--results", type=Path, default=RESULTS, help="where JSON and README go")
    parser.add_argument("--keep", action="store_true", help="keep service logs and SQLite files")
    parser.add_argument(
        "--profile",
        action="store_true",
        help="py-spy flame graphs of the services (results/profiles)",
    )
    args = parser.parse_args(argv)
    mode: Mode = "quick" if args.quick else "smoke" if args.smoke else "full"
    if args.scale and any(scale < 1 for scale in args.scale):
        parser.error("--scale must be at least 1")
    workdir = Path(tempfile.mkdtemp(prefix="learnloop-bench-"))
    options = SuiteOptions(
        mode=mode,
        scales=tuple(args.scale or DEFAULT_SCALES[mode]),
        only=tuple(dict.fromkeys(args.only or ())),
        results=args.results,
        workdir=workdir,
        profile=args.profile,
    )
    return options, args.keep


def main(argv: list[str] | None = None) -> int:
    """Run the suite; exit code 1 when a benchmark failed, 2 when the infrastructure is down."""
    options, keep = parse_options(sys.argv[1:] if argv is None else argv)
    configure_logging(level="WARNING", fmt="console", service="benchmarks")
    try:
        ok = asyncio.run(run_suite(options))
    except InfraUnavailable as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:
        if keep:
            print(f"service logs kept in {options.workdir}")
        else:
            shutil.rmtree(options.workdir, ignore_errors=True)
    print(f"results: {options.results / 'README.md'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
