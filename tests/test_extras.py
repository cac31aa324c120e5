"""qtwin._extras and qtwin.exceptions: a missing extra is an ImportError naming the extra."""

from __future__ import annotations

import pytest

from qtwin._extras import require_module
from qtwin.backends._extras import require_module as require_backend_module
from qtwin.exceptions import BackendUnavailableError, MissingExtraError


def test_missing_extra_names_the_extra():
    with pytest.raises(MissingExtraError, match=r'pip install "qtwin\[rl\]"') as info:
        require_module("surely_not_installed_pkg", extra="rl", purpose="the demo")
    assert info.value.extra == "rl"
    assert isinstance(info.value, ImportError)
    assert isinstance(info.value.__cause__, ImportError)


def test_core_dependency_hint():
    with pytest.raises(MissingExtraError, match="pip install surely-not-installed-pkg"):
        require_module("surely_not_installed_pkg", extra=None, purpose="the demo")


def test_backend_flavour_is_backend_unavailable():
    with pytest.raises(BackendUnavailableError, match=r"qtwin\[ibm\]"):
        require_backend_module("surely_not_installed_pkg", extra="ibm", purpose="fake devices")
    import qtwin.backends

    assert qtwin.backends.BackendUnavailableError is BackendUnavailableError
