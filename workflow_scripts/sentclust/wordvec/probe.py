"""Linear probe: a logistic regression on review vectors, train split -> test split."""

from __future__ import annotations

import numpy as np


def linear_probe(
    x_train: np.ndarray,
    y_train: np.ndarray,
    x_test: np.ndarray,
    y_test: np.ndarray,
    *,
    c: float = 1.0,
    max_iter: int = 2000,
    seed: int = 42,
) -> dict:
    """Standardised features, L2 logistic regression; accuracy and ROC AUC on the test split."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import accuracy_score, roc_auc_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    if len(set(np.asarray(y_train).tolist())) < 2:
        raise ValueError("the linear probe needs both labels in the train split")
    clf = make_pipeline(
        StandardScaler(),
        LogisticRegression(C=c, max_iter=max_iter, random_state=seed),
    )
    clf.fit(x_train, y_train)
    p = clf.predict_proba(x_test)[:, 1]
    return {
        "accuracy": float(accuracy_score(y_test, p >= 0.5)),
        "roc_auc": float(roc_auc_score(y_test, p)) if len(set(y_test)) == 2 else None,
        "n_train": int(len(y_train)),
        "n_test": int(len(y_test)),
        "dimensions": int(x_train.shape[1]),
        "C": c,
    }
