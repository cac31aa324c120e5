"""``--set key=value`` parsing and coercion against the default config."""

from __future__ import annotations

import pytest

from qtwin.experiments.config import apply_overrides, coerce_value, parse_set_options

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
    with pytest.raises(ValueError, match="unknown config key 'nn'; valid keys: empty, flag, maybe"):
        apply_overrides(DEFAULTS, {"nn": "1"})


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
