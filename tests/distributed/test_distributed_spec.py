"""Cluster specs: parsing, errors naming the argument, clients and their closing."""

from __future__ import annotations

import socket

import pytest

from qtwin.distributed import cluster, get_client, parse_spec


@pytest.mark.parametrize(
    ("spec", "want"),
    [
        (None, ("local", None)),
        ("local", ("local", None)),
        ("dask:3", ("dask", 3)),
        ("tcp://127.0.0.1:8786", ("address", "tcp://127.0.0.1:8786")),
    ],
)
def test_parse_spec(spec: object, want: tuple) -> None:
    assert parse_spec(spec) == want


def test_parse_dask_default_is_cpu_count() -> None:
    kind, n = parse_spec("dask")
    assert kind == "dask" and n >= 1


@pytest.mark.parametrize("spec", ["dask:0", "dask:-1", "dask:two", "bogus", "tcp://127.0.0.1"])
def test_bad_specs_name_the_argument(spec: str) -> None:
    with pytest.raises(ValueError, match="cluster=") as err:
        parse_spec(spec)
    assert repr(spec) in str(err.value)


def test_bad_type() -> None:
    with pytest.raises(TypeError, match="cluster must be"):
        parse_spec(3)


def test_local_has_no_client() -> None:
    assert get_client(None) is None
    with cluster("local") as c:
        assert c is None


def test_client_passes_through_and_stays_open(client2: object) -> None:
    assert get_client(client2) is client2
    with cluster(client2) as c:
        assert c is client2
    assert client2.status == "running"


def test_unreachable_scheduler_names_the_address() -> None:
    with socket.socket() as s:  # a loopback port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    addr = f"tcp://127.0.0.1:{port}"
    with pytest.raises(ConnectionError, match=addr):
        get_client(addr, timeout=1)
