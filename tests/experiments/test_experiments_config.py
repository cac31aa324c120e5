"""``--set key=value`` parsing and coercion: legacy dict configs and typed (C2) configs."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from typing import Literal

import pytest

from qtwin.experiments.config import (
    apply_overrides,
    coerce_typed,
    coerce_value,
    config_fields,
    config_to_dict,
    make_config,
    option,
    parse_set_options,
    validate_config,
)

DEFAULTS = {
    "n": 3,
    "rate": 0.5,
    "flag": False,
    "name": "bell",
    "names": ["a"],
    "sizes": [2, 4],
    "empty": [],
    "maybe": None,
}


def test_parse_set_options_splits_on_first_equals():
    assert parse_set_options(["a=1", "b = x=y", "c="]) == {"a": "1", "b": "x=y", "c": ""}


@pytest.mark.parametrize("bad", ["novalue", "=3", " =3"])
def test_parse_set_options_rejects_items_without_key(bad):
    with pytest.raises(ValueError, match="--set expects key=value"):
        parse_set_options([bad])


@pytest.mark.parametrize(
    ("key", "text", "expected"),
    [
        ("n", "12", 12),
        ("n", "-3", -3),
        ("rate", "1e-3", 1e-3),
        ("rate", "2", 2.0),
        ("flag", "true", True),
        ("flag", "Yes", True),
        ("flag", "0", False),
        ("flag", "off", False),
        ("name", "qft_4", "qft_4"),
        ("names", "x,y, z", ["x", "y", "z"]),
        ("names", "", []),
        ("names", '["p", "q"]', ["p", "q"]),
        ("sizes", "3,5", [3, 5]),
        ("sizes", "[8]", [8]),
        ("empty", "1,x", [1, "x"]),
        ("maybe", "0.25", 0.25),
        ("maybe", "none", None),
        ("maybe", "text", "text"),
    ],
)
def test_coercion_follows_the_default_type(key, text, expected):
    out = apply_overrides(DEFAULTS, {key: text})
    assert out[key] == expected
    assert type(out[key]) is type(expected)


@pytest.mark.parametrize(
    ("key", "text", "match"),
    [
        ("n", "1.5", "expects an int"),
        ("n", "many", "expects an int"),
        ("rate", "fast", "expects a float"),
        ("flag", "maybe", "expects a bool"),
        ("sizes", "1,x", r"sizes\[1\]' expects an int"),
        ("sizes", "[1, 2", "expects a list"),
    ],
)
def test_bad_values_name_the_key_and_type(key, text, match):
    with pytest.raises(ValueError, match=match):
        apply_overrides(DEFAULTS, {key: text})


def test_unknown_key_lists_valid_keys():
    with pytest.raises(
        ValueError,
        match="unknown config key 'nn'; did you mean 'n'. valid keys: empty, flag, maybe",
    ):
        apply_overrides(DEFAULTS, {"nn": "1"})
    with pytest.raises(ValueError, match="unknown config key 'zzz'; valid keys: empty, flag"):
        apply_overrides(DEFAULTS, {"zzz": "1"})


def test_python_values_are_checked_too():
    out = apply_overrides(DEFAULTS, {"n": 7, "rate": 1, "sizes": (1, 2)})
    assert out["n"] == 7 and out["rate"] == 1.0 and out["sizes"] == [1, 2]
    with pytest.raises(ValueError, match="expects an int"):
        coerce_value(True, 3, "n")
    with pytest.raises(ValueError, match="expects a bool"):
        coerce_value(1, False, "flag")


def test_defaults_are_not_mutated():
    before = {"sizes": [1, 2]}
    out = apply_overrides(before, None)
    out["sizes"].append(3)
    assert before == {"sizes": [1, 2]}


# --- issue 15: non-finite floats cannot reach results.json (strict JSON turns them into null)


@pytest.mark.parametrize(
    ("value", "default"),
    [
        ("nan", 1.0),
        ("inf", 1.0),
        ("-inf", 0.5),
        ("1e999", 1.0),
        (float("nan"), 1.0),
        (10**400, 1.0),
        ("NaN", None),
        ("[1, Infinity]", None),
        ("1e999", None),
        ("1,nan", [0.5]),
        (float("inf"), None),
    ],
    ids=lambda v: repr(v)[:16],
)
def test_non_finite_numbers_are_refused(value, default):
    with pytest.raises(ValueError, match="config key 'k(\\[1\\]|\\[0\\])?' expects (a )?finite"):
        coerce_value(value, default, "k")


# --- typed configs (contract C2) -------------------------------------------------------


@dataclass(frozen=True)
class Typed:
    """A config with every supported field type."""

    n: int = option(3, "an int", low=1, high=10)
    rate: float = option(0.5, "a float", low=0.0, high=1.0)
    flag: bool = option(False, "a bool")
    name: str = option("bell", "a str", choices=("bell", "ghz"))
    dims: tuple[int, ...] = option((2, 3), "ints", low=2)
    names: tuple[str, ...] = option(("a",), "strs")
    maybe: float | None = option(None, "optional float", low=0)
    kind: Literal["x", "y"] = option("x", "a literal")
    pair: tuple[int, float] = option((1, 2.0), "fixed pair")

    def __post_init__(self) -> None:
        if self.flag and self.n > 5:
            raise ValueError("config key 'n' must be <= 5 when flag is set")


@pytest.mark.parametrize(
    ("key", "text", "expected"),
    [
        ("n", "7", 7),
        ("rate", "1e-3", 1e-3),
        ("rate", "1", 1.0),
        ("flag", "yes", True),
        ("name", "ghz", "ghz"),
        ("dims", "2,5, 7", (2, 5, 7)),
        ("dims", "[4]", (4,)),
        ("dims", "", ()),
        ("names", "p,q", ("p", "q")),
        ("maybe", "0.25", 0.25),
        ("maybe", "none", None),
        ("maybe", "NULL", None),
        ("kind", "y", "y"),
        ("pair", "3,0.5", (3, 0.5)),
    ],
)
def test_typed_coercion_follows_the_field_type(key, text, expected):
    config = make_config(Typed, {key: text})
    value = getattr(config, key)
    assert value == expected and type(value) is type(expected)
    if isinstance(value, tuple):
        assert [type(v) for v in value] == [type(v) for v in expected]


@pytest.mark.parametrize(
    ("overrides", "match"),
    [
        ({"n": "1.5"}, "config key 'n' expects an int, got '1.5'"),
        ({"n": "0"}, "config key 'n' must be >= 1, got 0"),
        ({"n": "11"}, "config key 'n' must be <= 10, got 11"),
        ({"rate": "nan"}, "config key 'rate' expects a finite float"),
        ({"rate": "2"}, "config key 'rate' must be <= 1"),
        ({"flag": "maybe"}, "config key 'flag' expects a bool"),
        ({"name": "gzh"}, "config key 'name' must be one of: bell, ghz; got 'gzh'; did you mean"),
        ({"dims": "2,1"}, "config key 'dims' must be >= 2, got 1"),
        ({"dims": "2,x"}, r"config key 'dims\[1\]' expects an int"),
        ({"maybe": "-1"}, "config key 'maybe' must be >= 0"),
        ({"maybe": "lots"}, "config key 'maybe' expects a float | None"),
        ({"kind": "z"}, "config key 'kind' expects one of x, y"),
        ({"pair": "1"}, "config key 'pair' expects 2 items"),
        ({"flag": "true", "n": "6"}, "config key 'n' must be <= 5 when flag is set"),
        ({"nn": "1"}, "unknown config key 'nn'; did you mean 'n'. valid keys: dims, flag"),
    ],
)
def test_typed_bad_values_name_the_key(overrides, match):
    with pytest.raises(ValueError, match=match):
        make_config(Typed, overrides)


def test_typed_python_values_and_defaults():
    config = make_config(Typed, {"n": 4, "rate": 1, "dims": [2, 2], "maybe": 3})
    assert config == Typed(n=4, rate=1.0, dims=(2, 2), maybe=3.0)
    assert make_config(Typed) == Typed()
    with pytest.raises(ValueError, match="expects an int"):
        make_config(Typed, {"n": True})
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.n = 5  # type: ignore[misc]


def test_validate_config_checks_instances_built_directly():
    assert validate_config(Typed(n=2)) == Typed(n=2)
    with pytest.raises(ValueError, match="config key 'n' must be >= 1, got 0"):
        validate_config(Typed(n=0))
    with pytest.raises(ValueError, match="config key 'dims' expects a tuple"):
        validate_config(Typed(dims=[2, 3]))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="expected a config dataclass instance"):
        validate_config({"n": 1})


def test_config_to_dict_is_json_with_lists():
    data = config_to_dict(make_config(Typed, {"dims": "4,5"}))
    assert data["dims"] == [4, 5] and data["pair"] == [1, 2.0]
    assert json.loads(json.dumps(data)) == data


def test_config_fields_describe_types_defaults_and_bounds():
    infos = {f.name: f for f in config_fields(Typed)}
    assert list(infos) == [f.name for f in dataclasses.fields(Typed)]
    assert infos["dims"].type_name == "tuple[int, ...]"
    assert infos["maybe"].type_name == "float | None"
    assert infos["n"].constraints() == "1 <= value <= 10"
    assert infos["name"].constraints() == "one of: bell, ghz"
    assert infos["n"].help == "an int" and infos["dims"].default == (2, 3)


def test_option_refuses_bad_declarations():
    with pytest.raises(TypeError, match="help must be a non-empty string"):
        option(1, "")
    with pytest.raises(TypeError, match="immutable"):
        option({}, "a dict")
    with pytest.raises(ValueError, match="low=2 is above high=1"):
        option(1, "n", low=2, high=1)
    assert option([1, 2], "a list default becomes a tuple").default == (1, 2)


def test_unsupported_field_types_are_refused():
    @dataclass(frozen=True)
    class Bad:
        table: dict = dataclasses.field(default_factory=dict)

    with pytest.raises(TypeError, match="--set cannot read"):
        config_fields(Bad)


def test_coerce_typed_examples():
    assert coerce_typed("3", int | None) == 3
    assert coerce_typed(True, bool | int) is True
    assert coerce_typed("1,2", list[int]) == [1, 2]


def test_typed_coercion_fuzz_types_or_refuses():
    """Random ``--set`` text: a value of the field's type (JSON-able, finite) or a
    ``ValueError`` naming the key, never another exception."""
    import math

    from hypothesis import given, settings
    from hypothesis import strategies as st

    types_ = st.sampled_from(
        [int, float, bool, str, float | None, tuple[int, ...], tuple[float, ...], Literal["x", "y"]]
    )

    @settings(max_examples=300, deadline=None)
    @given(tp=types_, text=st.text(max_size=16) | st.sampled_from(["nan", "1e999", "[1,", "[[1]]"]))
    def check(tp, text):
        try:
            value = coerce_typed(text, tp, "k")
        except ValueError as exc:
            assert str(exc).startswith("config key 'k"), exc
            return
        assert coerce_typed(value, tp, "k") == value  # idempotent on its own output
        for leaf in value if isinstance(value, tuple) else (value,):
            assert not isinstance(leaf, float) or math.isfinite(leaf)
        json.dumps(config_to_dict({"k": value}), allow_nan=False)

    check()
