"""The ``qtwin`` command: list, run and report experiments, or take the tour.

.. code-block:: text

    qtwin --version
    qtwin list [-v] [--markdown]            registered experiments (-v: with default configs;
                                            --markdown: docs/experiments.md)
    qtwin run --help                        the experiments, one line each
    qtwin run NAME --help                   NAME's config fields: type, default, meaning
    qtwin run NAME [--backend B] [--seed S] [--out DIR] [--set key=value ...] [--force]
              [--wait SECONDS] [--cluster SPEC]
    qtwin tour [--out DIR] [--force] [--cluster SPEC]
                                            every experiment at its small default, reports
                                            and DIR/index.html
    qtwin report DIR                        DIR/report.html from DIR/results.json
    qtwin dry-run FILE... --backend B       what a device would be sent, without submitting

``qtwin run`` writes ``results.json``, figures and ``report.html`` into ``--out``
(``runs/<NAME>`` by default). Interrupted runs resume when run again with the same
arguments; a different config in the same folder is refused unless ``--force``. A folder
another ``qtwin run`` is writing into is refused at once, or after ``--wait SECONDS``.

``--cluster SPEC`` (or the ``QTWIN_CLUSTER`` environment variable; the flag wins) runs
the experiments' work units on Dask: ``dask:N`` (a local cluster of N worker processes) or
``tcp://host:port`` (a running scheduler); ``local`` runs in this process. Results are the
same. An unreachable scheduler is refused (exit status 2) before anything is written.

``qtwin tour`` keeps warnings raised inside third-party libraries out of its output: they
are written to ``warnings.log`` in the tour folder (qtwin's own warnings are shown).

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
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from qtwin._io import atomic_write_text
from qtwin.distributed import parse_spec
from qtwin.experiments import (
    get_experiment,
    list_experiments,
    parse_set_options,
    run_experiment,
    write_report,
)
from qtwin.experiments.registry import validate_backend
from qtwin.experiments.report import write_index
from qtwin.experiments.runner import cluster_from_env, default_out_dir, run_lock

__all__ = ["build_parser", "main"]


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``qtwin`` command."""
    parser = argparse.ArgumentParser(
        prog="qtwin",
        description="qtwin experiments: quantum circuits and their classical twins on one "
        "shared tensor-network simulator.",
    )
    parser.add_argument(
        "--version", action="version", version=f"qtwin {_version()}", help="print the version"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p_list = sub.add_parser("list", help="list the registered experiments")
    p_list.add_argument(
        "-v", "--verbose", action="store_true", help="also show each default config"
    )
    p_list.add_argument(
        "--markdown",
        action="store_true",
        help="print docs/experiments.md: every experiment with its config fields",
    )

    p_run = sub.add_parser(
        "run",
        help="run one experiment",
        add_help=False,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Run one experiment into --out (runs/NAME): results.json, figures and "
        "report.html. `qtwin run NAME --help` lists NAME's config fields.",
    )
    p_run.add_argument(
        "-h", "--help", action=_RunHelp, help="show this help (after NAME: NAME's config fields)"
    )
    p_run.add_argument("name", metavar="NAME", help="experiment name (listed below)")
    p_run.add_argument("--backend", default=None, help="run on this backend only")
    p_run.add_argument("--seed", type=int, default=0, help="seed of the run (default 0)")
    p_run.add_argument("--out", default=None, help="output folder (default runs/NAME)")
    p_run.add_argument(
        "--wait",
        type=_seconds,
        default=0.0,
        metavar="SECONDS",
        help="wait this long for another run writing into --out (default: refuse at once)",
    )
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

    p_report = sub.add_parser(
        "report",
        help="write DIR/report.html from DIR/results.json (a folder of runs: each report and "
        "DIR/index.html)",
    )
    p_report.add_argument("dir", metavar="DIR", help="output folder of a run, or of a tour")

    p_dry = sub.add_parser(
        "dry-run",
        help="print what a backend would be sent for OpenQASM circuits, without submitting",
    )
    p_dry.add_argument("files", nargs="+", metavar="FILE", help="OpenQASM 2 or 3 files")
    p_dry.add_argument("--backend", required=True, help="e.g. ibm:fake_manila, fake:manila")
    p_dry.add_argument("--shots", type=int, default=None, help="shots per circuit (1024)")
    return parser


def _version() -> str:
    from qtwin import __version__

    return __version__


class _RunHelp(argparse.Action):
    """``qtwin run --help``: the experiments; ``qtwin run NAME --help``: NAME's fields."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: object) -> None:
        super().__init__(option_strings, dest=argparse.SUPPRESS, nargs=0, **kwargs)  # type: ignore[arg-type]

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: object,
        option_string: str | None = None,
    ) -> None:
        from qtwin.experiments.registry import describe_fields

        name = getattr(namespace, "name", None)
        if name:
            try:
                exp = get_experiment(name)
            except ValueError as exc:
                parser.exit(2, f"qtwin: error: {exc}\n")
        parser.print_help()
        print()
        if name:
            print(f"{name}: {exp.description}")
            print(
                "runs circuits: takes --backend"
                if exp.circuits
                else "runs no circuits: no --backend"
            )
            print()
            print(describe_fields(name))
        else:
            print(_experiment_list())
        parser.exit()


def _experiment_list() -> str:
    """``experiments:`` and one line per experiment with its description."""
    names = list_experiments()
    width = max((len(n) for n in names), default=0)
    lines = ["experiments (qtwin run NAME --help for each one's config fields):"]
    lines += [f"  {n:<{width}}  {get_experiment(n).description}" for n in names]
    return "\n".join(lines)


def _cmd_dry_run(files: Sequence[str], backend: str, shots: int | None) -> None:
    """Print :func:`qtwin.backends.dry_run` of the circuits in ``files`` as JSON."""
    import json
    from pathlib import Path

    from qiskit import qasm2, qasm3

    from qtwin.backends import dry_run

    circuits = []
    for name in files:
        text = Path(name).read_text(encoding="utf-8")
        loader = qasm3.loads if "OPENQASM 3" in text else qasm2.loads
        try:
            circuits.append(loader(text))
        except Exception as exc:  # noqa: BLE001 - the parser's own error, named by file
            raise ValueError(f"{name}: not a readable OpenQASM circuit ({exc})") from exc
    from qiskit.transpiler.exceptions import TranspilerError

    try:
        plan = dry_run(backend, circuits, shots=shots)
    except TranspilerError as exc:  # e.g. a circuit wider than the device
        raise ValueError(f"backend {backend!r} cannot take these circuits: {exc}") from exc
    print(json.dumps(plan, indent=2, default=str))


def _seconds(text: str) -> float:
    """``--wait`` values: a finite number of seconds >= 0."""
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not 0 <= value < float("inf"):
        raise argparse.ArgumentTypeError(f"expects a number of seconds >= 0, got {text!r}")
    return value


def _add_common(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--force", action="store_true", help="overwrite an earlier run with a different config"
    )
    p.add_argument("--no-progress", action="store_true", help="hide progress bars")
    p.add_argument(
        "--cluster",
        default=None,
        metavar="SPEC",
        help="run work units on Dask: dask:N (N local worker processes), tcp://host:port (a "
        "running scheduler) or local (default; also from $QTWIN_CLUSTER)",
    )


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
    wait: float = 0.0,
    cluster: object = None,
) -> Path:
    with run_lock(out if out is not None else default_out_dir(name), wait=wait):
        results = run_experiment(
            name,
            backend=backend,
            seed=seed,
            out=out,
            overrides=overrides,
            overwrite=force,
            progress=progress,
            cluster=cluster,
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


_LIBRARY_CATEGORIES = (DeprecationWarning, PendingDeprecationWarning, FutureWarning)


def _is_ours(record: warnings.WarningMessage) -> bool:
    """Whether a warning is qtwin's own news for the user (not a library's internal notice).

    qtwin's warning classes, and plain warnings raised in qtwin's code, are ours; warning
    classes of other packages (scipy's ``SparseEfficiencyWarning``, say) and deprecation
    notices are the libraries'.
    """
    if record.category.__module__.split(".")[0] == "qtwin":
        return True
    if record.category.__module__ != "builtins" or issubclass(record.category, _LIBRARY_CATEGORIES):
        return False
    path = Path(str(record.filename)).resolve()
    return path.is_relative_to(Path(__file__).resolve().parent)


@contextmanager
def _library_warnings_to(log: Path) -> Iterator[None]:
    """Show qtwin's own warnings; write those of other libraries to ``log``."""
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("default")
            yield
    finally:  # outside catch_warnings: shown as usual
        theirs = []
        for record in caught:
            if _is_ours(record):
                warnings.warn_explicit(
                    record.message, record.category, record.filename, record.lineno
                )
            else:
                theirs.append(
                    warnings.formatwarning(
                        record.message, record.category, record.filename, record.lineno
                    )
                )
        if theirs:
            atomic_write_text(log, "".join(theirs))
            print(f"{len(theirs)} library warning(s), kept out of this output: {log}")


def _cmd_tour(out: str, force: bool, progress: bool, cluster: str | None = None) -> None:
    from qtwin.distributed import cluster as open_cluster

    reports = []
    # one cluster for the whole tour, connected before anything is written
    with open_cluster(cluster) as client, _library_warnings_to(Path(out) / "warnings.log"):
        for name in list_experiments():
            out_dir = str(Path(out) / name)
            reports.append(
                _run_one(name, out=out_dir, force=force, progress=progress, cluster=client)
            )
    index = write_index(out)
    print(f"tour finished: {len(reports)} experiment(s); open the index: {index}")
    for report in reports:
        print(f"  {report}")


def _join_set_values(argv: Sequence[str]) -> list[str]:
    """``--set VALUE`` as ``--set=VALUE``, so that a value starting with ``-`` is a value.

    Example:
        >>> _join_set_values(["run", "x", "--set", "-=1", "--seed", "2"])
        ['run', 'x', '--set=-=1', '--seed', '2']
    """
    out: list[str] = []
    items = list(argv)
    i = 0
    while i < len(items):
        if items[i] == "--set" and i + 1 < len(items):
            out.append(f"--set={items[i + 1]}")
            i += 2
        else:
            out.append(items[i])
            i += 1
    return out


def _cmd_report(folder: str) -> Path:
    """``report.html`` of a run folder, or ``index.html`` of a folder of runs (a tour)."""
    path = Path(folder)
    if not (path / "results.json").is_file() and path.is_dir():
        runs = [p for p in path.iterdir() if (p / "results.json").is_file()]
        if runs:
            for run in sorted(runs):
                write_report(run)
            return write_index(path)
    return write_report(path)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``qtwin`` command with ``argv`` (``sys.argv[1:]`` when ``None``).

    Returns:
        The exit status: 0 on success, 2 for bad arguments (unknown experiment, config key
        or value; mismatching, damaged or busy output folder; unreadable results.json; a bad
        or unreachable --cluster), 1 when a file cannot be read or written, 130 when
        interrupted.
    """
    args = build_parser().parse_args(_join_set_values(sys.argv[1:] if argv is None else argv))
    out_hint = None
    try:
        if args.command == "list":
            if args.markdown:
                from qtwin.experiments.registry import describe_markdown

                sys.stdout.write(describe_markdown())
            else:
                _cmd_list(args.verbose)
        elif args.command == "run":
            # unknown names, backends and bad config values fail before anything is created
            validate_backend(args.name, args.backend)
            overrides = parse_set_options(args.overrides)
            get_experiment(args.name).make_config(overrides)
            cluster = cluster_from_env(args.cluster)
            parse_spec(cluster)
            out_hint = args.out or f"runs/{args.name}"
            from qtwin.distributed import cluster as open_cluster

            # connected before the folder is touched: an unreachable scheduler writes nothing
            with open_cluster(cluster) as client:
                _run_one(
                    args.name,
                    out=args.out,
                    backend=args.backend,
                    seed=args.seed,
                    overrides=overrides,
                    force=args.force,
                    progress=not args.no_progress,
                    wait=args.wait,
                    cluster=client,
                )
        elif args.command == "tour":
            cluster = cluster_from_env(args.cluster)
            parse_spec(cluster)
            out_hint = args.out
            _cmd_tour(args.out, args.force, not args.no_progress, cluster)
        elif args.command == "report":
            print(_cmd_report(args.dir))
        elif args.command == "dry-run":
            _cmd_dry_run(args.files, args.backend, args.shots)
    except (ValueError, FileNotFoundError, ConnectionError) as exc:
        # ConnectionError: an unreachable scheduler (--cluster), refused before any write
        print(f"qtwin: error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # a folder that cannot be written, a file that cannot be read
        print(f"qtwin: error: {exc}", file=sys.stderr)
        return 1
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
