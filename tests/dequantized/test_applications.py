"""Each dequantized application against its exact numpy/scipy answer."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.linalg import expm

from qtwin.dequantized import (
    SQMatrix,
    discriminant_analysis,
    hamiltonian_simulation,
    linear_regression,
    ls_svm,
    nearest_centroid,
    pca,
)


def test_pca_matches_svd():
    rng = np.random.default_rng(1)
    X = (
        rng.normal(size=(4000, 3))
        @ np.diag([3.0, 2.0, 1.0])
        @ np.linalg.qr(rng.normal(size=(30, 3)))[0].T
    )
    X += 0.02 * rng.normal(size=X.shape)
    res = pca(X, 3, r=500, c=500, seed=2)
    _, s, Vt = np.linalg.svd(X, full_matrices=False)
    assert np.allclose(res.singular_values, s[:3], rtol=0.08)
    Vhat = np.linalg.qr(res.to_numpy())[0]
    assert np.linalg.norm(Vt[:3] @ Vhat) ** 2 / 3 > 0.97


def test_linear_regression_vs_lstsq():
    rng = np.random.default_rng(3)
    U = np.linalg.qr(rng.normal(size=(500, 2)))[0]
    V = np.linalg.qr(rng.normal(size=(10, 2)))[0]
    A = U @ np.diag([0.8, 0.6]) @ V.T
    b = A @ rng.normal(size=10) + 0.02 * rng.normal(size=500)
    exact = np.linalg.lstsq(A, b, rcond=1e-3)[0]
    x = linear_regression(A, b, r=200, c=2000, samples=40_000, seed=4).to_numpy()
    assert np.linalg.norm(x - exact) / np.linalg.norm(exact) < 0.15
    assert np.linalg.norm(A @ x - b) <= 1.1 * np.linalg.norm(A @ exact - b) + 0.1 * np.linalg.norm(
        b
    )


def test_nearest_centroid_vs_exact_distances():
    rng = np.random.default_rng(5)
    classes = [rng.normal(size=(400, 6)) + mu for mu in (2.0, -1.0, 0.0)]
    x = rng.normal(size=6) * 0.3 - 1.0
    res = nearest_centroid([SQMatrix(c) for c in classes], x, eps=0.05, delta=0.05, seed=6)
    exact = np.array([np.sum((x - c.mean(0)) ** 2) for c in classes])
    assert res.label == int(np.argmin(exact)) == 1
    scale = np.array(
        [
            np.linalg.norm(c) ** 2 / len(c)
            + np.linalg.norm(c) * np.linalg.norm(x) / np.sqrt(len(c))
            for c in classes
        ]
    )
    assert np.all(np.abs(res.distances - exact) <= 0.1 * scale)
    with pytest.raises(ValueError, match="columns"):
        nearest_centroid([np.ones((3, 4))], np.ones(5))


def test_ls_svm_vs_exact_solve():
    rng = np.random.default_rng(7)
    X = rng.normal(size=(600, 2)) @ rng.normal(size=(2, 8))
    X /= np.linalg.norm(X)
    y = np.sign(X @ rng.normal(size=8))
    gamma = 5.0
    alpha = np.linalg.solve(X @ X.T + np.eye(600) / gamma, y)
    w_exact = X.T @ alpha
    w = ls_svm(X, y, gamma, r=200, c=2000, samples=20_000, seed=8).to_numpy()
    assert np.linalg.norm(w - w_exact) / np.linalg.norm(w_exact) < 0.15
    assert np.mean(np.sign(X @ w) == np.sign(X @ w_exact)) > 0.95
    with pytest.raises(ValueError, match="gamma"):
        ls_svm(X, y, 0.0)


def test_hamiltonian_simulation_vs_expm():
    rng = np.random.default_rng(9)
    V = np.linalg.qr(rng.normal(size=(40, 3)))[0]
    H = V @ np.diag([0.9, -0.6, 0.3]) @ V.T
    b = rng.normal(size=40)
    for t in (1.5,):
        out = hamiltonian_simulation(H, b, t, r=200, c=600, samples=20_000, seed=10)
        exact = expm(1j * t * H) @ b
        assert np.linalg.norm(out.to_numpy() - exact) / np.linalg.norm(b) < 0.08
    with pytest.raises(ValueError, match="square"):
        hamiltonian_simulation(np.ones((3, 4)), np.ones(4), 1.0)


def test_discriminant_analysis_vs_numpy_lda():
    rng = np.random.default_rng(11)
    lab = rng.integers(0, 2, 1000)
    basis = np.linalg.qr(rng.normal(size=(10, 3)))[0]
    Z = np.c_[2.0 * lab - 1 + 0.5 * rng.normal(size=1000), rng.normal(size=(1000, 2))] @ np.diag(
        [1.0, 0.7, 0.5]
    )
    Z[:, 1] += 0.5 * Z[:, 0]  # correlated features: Fisher's direction differs from mu1 - mu0
    X = Z @ basis.T
    X -= X.mean(0)
    Xn = X / np.linalg.norm(X)
    w = discriminant_analysis(
        Xn, lab, r=200, c=1500, samples=20_000, threshold=0.05, seed=12
    ).to_numpy()
    # Fisher's direction from the within-class scatter, on the 3-d data subspace
    mu0, mu1 = X[lab == 0].mean(0), X[lab == 1].mean(0)
    Sw = sum(
        (X[lab == c] - X[lab == c].mean(0)).T @ (X[lab == c] - X[lab == c].mean(0)) for c in (0, 1)
    )
    w_fisher = np.linalg.pinv(Sw, rcond=1e-8) @ (mu1 - mu0)

    def cos(a, b):
        return abs(a @ b) / (np.linalg.norm(a) * np.linalg.norm(b))

    assert cos(w, w_fisher) > 0.95
    assert cos(mu1 - mu0, w_fisher) < 0.95  # the test is not trivial
    with pytest.raises(ValueError, match="both classes"):
        discriminant_analysis(Xn, np.zeros(1000, int))
    with pytest.raises(ValueError, match="0 or 1"):
        discriminant_analysis(Xn, np.full(1000, 2))
