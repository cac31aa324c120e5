"""The ``qtwin`` command: list, run and report experiments, or take the tour.

.. code-block:: text

    qtwin list [-v]                         registered experiments (-v: with default configs)
    qtwin run NAME [--backend B] [--seed S] [--out DIR] [--set key=value ...] [--force]
    qtwin tour [--out DIR] [--force]        every experiment at its small default + reports
    qtwin report DIR                        DIR/report.html from DIR/results.json

``qtwin run`` writes ``results.json``, figures and ``report.html`` into ``--out``
(``runs/<NAME>`` by default). Interrupted runs resume when run again with the same
arguments; a different config in the same folder is refused unless ``--force``.

Example:
    >>> main(["list"])  # doctest: +ELLIPSIS
    aqc ...
    simulate ...
    0
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from qtwin.experiments import (
    get_experiment,
    list_experiments,
    parse_set_options,
    run_experiment,
    write_report,
)

__all__ = ["build_parser", "main"]


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``qtwin`` command."""
    parser = argparse.ArgumentParser(
        prog="qtwin",
        description="qtwin experiments: quantum circuits and their classical twins on one "
        "shared tensor-network simulator.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p_list = sub.add_parser("list", help="list the registered experiments")
    p_list.add_argument(
        "-v", "--verbose", action="store_true", help="also show each default config"
    )

    p_run = sub.add_parser("run", help="run one experiment")
    p_run.add_argument("name", metavar="NAME", help="experiment name (see `qtwin list`)")
    p_run.add_argument("--backend", default=None, help="run on this backend only")
    p_run.add_argument("--seed", type=int, default=0, help="seed of the run (default 0)")
    p_run.add_argument("--out", default=None, help="output folder (default runs/NAME)")
    p_run.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a config value (repeatable); lists are comma-separated",
    )
    _add_common(p_run)

    p_tour = sub.add_parser("tour", help="run every experiment at its small default")
    p_tour.add_argument("--out", default="runs/tour", help="parent folder (default runs/tour)")
    _add_common(p_tour)

    p_report = sub.add_parser("report", help="write DIR/report.html from DIR/results.json")
    p_report.add_argument("dir", metavar="DIR", help="output folder of a run")
    return parser


def _add_common(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--force", action="store_true", help="overwrite an earlier run with a different config"
    )
    p.add_argument("--no-progress", action="store_true", help="hide progress bars")


def _cmd_list(verbose: bool) -> None:
    names = list_experiments()
    width = max((len(n) for n in names), default=0)
    for name in names:
        exp = get_experiment(name)
        print(f"{name:<{width}}  {exp.description}")
        if verbose:
            for key, value in exp.default_config.items():
                print(f"{'':<{width}}    {key} = {json.dumps(value)}")


def _run_one(
    name: str,
    *,
    out: str | None,
    backend: str | None = None,
    seed: int = 0,
    overrides: dict[str, str] | None = None,
    force: bool = False,
    progress: bool = True,
) -> Path:
    results = run_experiment(
        name,
        backend=backend,
        seed=seed,
        out=out,
        overrides=overrides,
        overwrite=force,
        progress=progress,
    )
    out_dir = Path(results["out_dir"])
    report = write_report(out_dir)
    units = results["units"]
    print(
        f"{name}: {units['computed']} work units computed, {units['reused']} reused, "
        f"{results['wall_time_s']:.1f} s"
    )
    print(f"  results: {out_dir / 'results.json'}")
    for fig in results["figures"]:
        print(f"  figure:  {out_dir / fig}")
    print(f"  report:  {report}")
    return report


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``qtwin`` command with ``argv`` (``sys.argv[1:]`` when ``None``).

    Returns:
        The exit status: 0 on success, 2 for bad arguments (unknown experiment, config key
        or value; mismatching output folder), 130 when interrupted.
    """
    args = build_parser().parse_args(argv)
    out_hint = None
    try:
        if args.command == "list":
            _cmd_list(args.verbose)
        elif args.command == "run":
            get_experiment(args.name)  # unknown names fail before anything is created
            out_hint = args.out or f"runs/{args.name}"
            _run_one(
                args.name,
                out=args.out,
                backend=args.backend,
                seed=args.seed,
                overrides=parse_set_options(args.overrides),
                force=args.force,
                progress=not args.no_progress,
            )
        elif args.command == "tour":
            reports = []
            for name in list_experiments():
                out_hint = str(Path(args.out) / name)
                reports.append(
                    _run_one(name, out=out_hint, force=args.force, progress=not args.no_progress)
                )
            print(f"tour finished: {len(reports)} experiment(s); open the report(s):")
            for report in reports:
                print(f"  {report}")
        elif args.command == "report":
            print(write_report(args.dir))
    except (ValueError, FileNotFoundError) as exc:
        print(f"qtwin: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        where = f" in {out_hint}" if out_hint else ""
        print(
            f"\nqtwin: interrupted; finished work units are saved{where}. "
            "Run the same command again to resume.",
            file=sys.stderr,
        )
        return 130
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
