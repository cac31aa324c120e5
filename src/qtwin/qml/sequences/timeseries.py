r"""Time-series data sets of the QFWP and QRNN-RC papers, generated as the authors do.

Generators (raw series, unscaled; parameters are the authors' defaults where their code is
public, see ``shared/reference/qnn_qfwp_qrnn.md`` §1d):

* :func:`damped_shm` — damped pendulum :math:`\ddot\theta = -(b/m)\dot\theta - g\sin\theta`,
  :math:`b = 0.15, g = 9.81, m = 1`, :math:`\theta(0) = 0, \dot\theta(0) = 3`, ``odeint`` on
  ``linspace(0, 20, 240)``; the series is the angular velocity :math:`\dot\theta`.
* :func:`bessel_j2` — :math:`J_2(x)` on ``linspace(2, 100, 256)``.
* :func:`delayed_quantum_control` —
  :math:`f(x) = \sum_{n=0}^{10} e^{-10(x-2n)^2} e^{-x/16}` on ``arange(-2, 20, 0.01)``.
* :func:`narma` — NARMA-n with the deterministic input of Suzuki et al. (2022):
  :math:`u_t = 0.1[\sin(2\pi\, 2.11 t/T)\sin(2\pi\, 3.73 t/T)\sin(2\pi\, 4.11 t/T) + 1]` and
  :math:`y_{t+1} = 0.3 y_t + 0.05 y_t \sum_{j=0}^{n-1} y_{t-j} + 1.5 u_{t-n+1} u_t + 0.1`,
  :math:`y_0 = 0.196`, zero history (negative indices).
* :func:`cosine_wave` — :math:`\cos(\omega t + \varphi)` (our choice: ``linspace(0, 20, 240)``,
  :math:`\omega = 1`; the authors' sine generator was not retrieved).
* :func:`jaynes_cummings_inversion` — population inversion of the resonant Jaynes–Cummings
  model, atom excited, field coherent with mean photon number :math:`\bar n`:
  :math:`W(t) = \sum_n P(n) \cos(2 g \sqrt{n+1}\, t)`, :math:`P(n) = e^{-\bar n}\bar n^n/n!`
  (collapse near :math:`t \sim 1/g`, revival at :math:`t_r = 2\pi\sqrt{\bar n}/g`). The
  authors' parameters are unknown; ours: :math:`\bar n = 16, g = 1`, ``linspace(0, 40, 400)``.

Preparation (as in the authors' scripts): :func:`minmax_scale` to :math:`[-1, 1]`,
:func:`sliding_windows` ``x = s[i:i+w]``, target ``s[i+w]`` for ``i in range(len - w - 1)``
(the authors' loop drops the last window), and :func:`chronological_split` — first
``int(0.67 N)`` windows for training, the rest for testing, no shuffling.
:func:`load_sequence_task` does all of it. The generators are deterministic; ``seed`` adds
optional Gaussian observation noise (``noise = 0`` by default).

Example:
    >>> data = load_sequence_task("damped_shm")
    >>> data.x_train.shape, data.x_test.shape
    ((157, 4, 1), (78, 4, 1))
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from qtwin._validation import (
    as_generator,
    check_choice,
    check_finite,
    check_nonnegative_float,
    check_positive_int,
)

__all__ = [
    "TASKS",
    "SequenceData",
    "damped_shm",
    "bessel_j2",
    "delayed_quantum_control",
    "narma",
    "cosine_wave",
    "jaynes_cummings_inversion",
    "minmax_scale",
    "sliding_windows",
    "chronological_split",
    "load_sequence_task",
]

TASKS = (
    "damped_shm",
    "bessel_j2",
    "delayed_quantum_control",
    "narma5",
    "narma10",
    "cosine",
    "jaynes_cummings",
)


def damped_shm(
    num_points: int = 240,
    t_max: float = 20.0,
    *,
    b: float = 0.15,
    g: float = 9.81,
    m: float = 1.0,
    theta0: float = 0.0,
    omega0: float = 3.0,
) -> np.ndarray:
    r"""Angular velocity of the damped pendulum (authors' ``damped_shm.py``), ``(num_points,)``.

    Example:
        >>> s = damped_shm()
        >>> s.shape, round(float(s[0]), 6)
        ((240,), 3.0)
    """
    from scipy.integrate import odeint

    num_points = check_positive_int(num_points, "num_points", minimum=2)
    t = np.linspace(0.0, check_nonnegative_float(t_max, "t_max"), num_points)

    def rhs(state: np.ndarray, _t: float) -> list[float]:
        theta, omega = state
        return [omega, -(b / m) * omega - g * np.sin(theta)]

    return odeint(rhs, [theta0, omega0], t)[:, 1]


def bessel_j2(num_points: int = 256, x_min: float = 2.0, x_max: float = 100.0) -> np.ndarray:
    r""":math:`J_2(x)` on ``linspace(x_min, x_max, num_points)`` (authors' ``bessel_functions.py``).

    Example:
        >>> round(float(bessel_j2(3, 2.0, 4.0)[0]), 6)
        0.352834
    """
    from scipy.special import jv

    num_points = check_positive_int(num_points, "num_points", minimum=2)
    return jv(2, np.linspace(x_min, x_max, num_points))


def delayed_quantum_control(
    x_min: float = -2.0, x_max: float = 20.0, step: float = 0.01, num_pulses: int = 11
) -> np.ndarray:
    r""":math:`\sum_{n<11} e^{-10(x-2n)^2} e^{-x/16}` on ``arange(x_min, x_max, step)``.

    Example:
        >>> s = delayed_quantum_control()
        >>> s.shape, round(float(s.max()), 3)
        ((2200,), 1.0)
    """
    step = check_nonnegative_float(step, "step")
    if step == 0:
        raise ValueError("step must be > 0, got 0")
    check_finite(x_min, "x_min")
    check_finite(x_max, "x_max")
    x_min, x_max = float(x_min), float(x_max)
    if not x_min < x_max:
        raise ValueError(f"x_min must be < x_max, got x_min={x_min}, x_max={x_max}")
    x = np.arange(x_min, x_max, step)
    n = np.arange(check_positive_int(num_pulses, "num_pulses"))
    return np.sum(np.exp(-10.0 * (x[:, None] - 2.0 * n[None, :]) ** 2), axis=1) * np.exp(-x / 16)


def narma(
    order: int = 10, num_points: int = 300, *, period: int = 300, y0: float = 0.196
) -> tuple[np.ndarray, np.ndarray]:
    r"""NARMA-``order`` input ``u`` and output ``y`` (module docstring), each ``(num_points,)``.

    Example:
        >>> u, y = narma(5, 6)
        >>> round(float(u[0]), 3), round(float(y[0]), 3)
        (0.1, 0.196)
    """
    order = check_positive_int(order, "order")
    num_points = check_positive_int(num_points, "num_points", minimum=2)
    period = check_positive_int(period, "period")
    t = np.arange(num_points)
    u = 0.1 * (
        np.sin(2 * np.pi * 2.11 * t / period)
        * np.sin(2 * np.pi * 3.73 * t / period)
        * np.sin(2 * np.pi * 4.11 * t / period)
        + 1.0
    )
    y = np.zeros(num_points)
    y[0] = y0
    for k in range(num_points - 1):
        hist = y[max(0, k - order + 1) : k + 1].sum()
        u_lag = u[k - order + 1] if k - order + 1 >= 0 else 0.0
        y[k + 1] = 0.3 * y[k] + 0.05 * y[k] * hist + 1.5 * u_lag * u[k] + 0.1
    return u, y


def cosine_wave(
    num_points: int = 240, t_max: float = 20.0, *, omega: float = 1.0, phase: float = 0.0
) -> np.ndarray:
    r""":math:`\cos(\omega t + \varphi)` on ``linspace(0, t_max, num_points)``.

    Example:
        >>> cosine_wave(3, 3.141592653589793).round(6).tolist()
        [1.0, 0.0, -1.0]
    """
    num_points = check_positive_int(num_points, "num_points", minimum=2)
    return np.cos(omega * np.linspace(0.0, t_max, num_points) + phase)


def jaynes_cummings_inversion(
    num_points: int = 400,
    t_max: float = 40.0,
    *,
    mean_photons: float = 16.0,
    coupling: float = 1.0,
    max_photons: int | None = None,
) -> np.ndarray:
    r"""Population inversion :math:`W(t)` of the JC model with a coherent field (module docstring).

    The photon sum runs to ``max_photons`` (default :math:`\bar n + 10\sqrt{\bar n} + 10`).

    Example:
        >>> round(float(jaynes_cummings_inversion(2, 1.0)[0]), 9)
        1.0
    """
    from scipy.stats import poisson

    num_points = check_positive_int(num_points, "num_points", minimum=2)
    nbar = check_nonnegative_float(mean_photons, "mean_photons")
    check_finite(t_max, "t_max")
    check_finite(coupling, "coupling")
    if max_photons is None:
        n_max = int(nbar + 10 * np.sqrt(nbar) + 10)
    else:
        n_max = check_positive_int(max_photons, "max_photons")
    n = np.arange(n_max + 1)
    p = poisson.pmf(n, nbar)
    t = np.linspace(0.0, t_max, num_points)
    return np.cos(2 * coupling * np.sqrt(n[None, :] + 1) * t[:, None]) @ p


def minmax_scale(
    series: ArrayLike, feature_range: tuple[float, float] = (-1.0, 1.0)
) -> tuple[np.ndarray, tuple[float, float]]:
    r"""Scale to ``feature_range`` like sklearn's ``MinMaxScaler``; returns it and ``(min, max)``.

    Example:
        >>> s, (lo, hi) = minmax_scale([0.0, 5.0, 10.0])
        >>> s.tolist(), lo, hi
        ([-1.0, 0.0, 1.0], 0.0, 10.0)
    """
    s = _series(series)
    lo, hi = float(s.min()), float(s.max())
    a, b = feature_range
    span = hi - lo if hi > lo else 1.0
    return a + (s - lo) * (b - a) / span, (lo, hi)


def _series(series: Any, name: str = "series") -> np.ndarray:
    s = np.asarray(series, dtype=float)
    if s.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {s.shape}")
    check_finite(s, name)
    return s


def sliding_windows(
    series: ArrayLike, window: int = 4, *, targets: ArrayLike | None = None, drop_last: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    r"""Windows ``x[i] = s[i:i+w]`` and targets ``y[i] = t[i+w]`` (``t = s`` by default).

    ``drop_last=True`` reproduces the authors' ``range(len(s) - w - 1)``.

    Returns:
        ``x`` of shape ``(N, w, 1)`` and ``y`` of shape ``(N, 1)``.

    Raises:
        ValueError: if the window does not fit in the series, or the data hold NaN/inf.

    Example:
        >>> x, y = sliding_windows(np.arange(7.0), 3)
        >>> x[:, :, 0].tolist(), y[:, 0].tolist()
        ([[0.0, 1.0, 2.0], [1.0, 2.0, 3.0], [2.0, 3.0, 4.0]], [3.0, 4.0, 5.0])
    """
    s = _series(series)
    tgt = s if targets is None else _series(targets, "targets")
    if len(tgt) != len(s):
        raise ValueError(f"targets must have the series' length {len(s)}, got {len(tgt)}")
    window = check_positive_int(window, "window")
    count = len(s) - window - (1 if drop_last else 0)
    if count < 1:
        raise ValueError(
            f"window ({window}) is too long for a series of length {len(s)}: need "
            f"len(series) >= window + {2 if drop_last else 1}"
        )
    idx = np.arange(count)[:, None] + np.arange(window)[None, :]
    return s[idx][:, :, None], tgt[np.arange(count) + window][:, None]


def chronological_split(
    x: np.ndarray, y: np.ndarray, train_fraction: float = 0.67
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    r"""First ``int(train_fraction * N)`` samples for training, the rest for testing.

    Returns ``(x_train, x_test, y_train, y_test)`` (scikit-learn order).

    Example:
        >>> x, y = sliding_windows(np.arange(20.0), 4)
        >>> [a.shape[0] for a in chronological_split(x, y)]
        [10, 5, 10, 5]
    """
    frac = check_nonnegative_float(train_fraction, "train_fraction")
    n_train = int(len(y) * frac)
    if not 0 < n_train < len(y):
        raise ValueError(
            f"train_fraction must leave at least one training and one test sample "
            f"({len(y)} samples), got {train_fraction}"
        )
    return x[:n_train], x[n_train:], y[:n_train], y[n_train:]


class SequenceData(NamedTuple):
    """Windows and targets of a task, split chronologically; ``scale = (min, max)`` or None."""

    name: str
    x_train: np.ndarray
    x_test: np.ndarray
    y_train: np.ndarray
    y_test: np.ndarray
    series: np.ndarray
    scale: tuple[float, float] | None


def load_sequence_task(
    name: str,
    *,
    window: int = 4,
    train_fraction: float = 0.67,
    scale: bool | None = None,
    noise: float = 0.0,
    seed: int | np.random.Generator | None = None,
    num_points: int | None = None,
) -> SequenceData:
    r"""Generate, scale, window and split one of :data:`TASKS`.

    Args:
        name: a task in :data:`TASKS`.
        window: window length (authors: 4).
        train_fraction: fraction of windows for training (authors: 0.67).
        scale: MinMax to :math:`[-1, 1]`; default True except NARMA (raw, as the authors).
        noise: standard deviation of optional Gaussian noise on the series (default 0).
        seed: seed of that noise.
        num_points: series length; the generator's default when omitted (for
            ``delayed_quantum_control`` it sets the step, ``22 / num_points``).

    Example:
        >>> d = load_sequence_task("narma5", window=4)
        >>> d.x_train.shape, d.scale is None
        ((197, 4, 1), True)
    """
    check_choice(name, "name", TASKS)
    if num_points is not None:
        num_points = check_positive_int(num_points, "num_points", minimum=2)
    kw: dict[str, Any] = {} if num_points is None else {"num_points": num_points}
    targets = None
    if name == "damped_shm":
        s = damped_shm(**kw)
    elif name == "bessel_j2":
        s = bessel_j2(**kw)
    elif name == "delayed_quantum_control":
        s = delayed_quantum_control(step=22.0 / num_points if num_points else 0.01)
    elif name.startswith("narma"):
        s, targets = narma(int(name[5:]), **kw)
    elif name == "cosine":
        s = cosine_wave(**kw)
    else:
        s = jaynes_cummings_inversion(**kw)
    noise = check_nonnegative_float(noise, "noise")
    if noise:
        s = s + as_generator(seed).normal(0.0, noise, s.shape)
    do_scale = targets is None if scale is None else bool(scale)
    rng_info = None
    if do_scale:
        s, rng_info = minmax_scale(s)
        if targets is not None:
            targets = minmax_scale(targets)[0]
    x, y = sliding_windows(s, window, targets=targets)
    x_tr, x_te, y_tr, y_te = chronological_split(x, y, train_fraction)
    return SequenceData(name, x_tr, x_te, y_tr, y_te, s, rng_info)
