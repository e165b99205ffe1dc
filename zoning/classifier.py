"""Service-mode prediction: XGBoost against random forest and AdaBoost (study, Table 3).

The main type is one-hot encoded (the study's OneHotEncoder); the ordinal levels and
counts pass through. Two evaluations: the study's single stratified 70/30 split
(accuracy, recall and F1 per class, confusion matrix), and repeated stratified
5-fold cross-validation for the mean and spread of accuracy, since one split's
accuracy on about 60 test rows moves by several points with the split alone.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import AdaBoostClassifier, RandomForestClassifier
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, recall_score
from sklearn.model_selection import RepeatedStratifiedKFold, cross_val_score, train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder
from xgboost import XGBClassifier

from zoning.dataset import FEATURES

MODES = {1: "exclusive operation", 2: "dynamic joint delivery", 3: "smart lockers"}
CATEGORICAL = ["main_type"]


def make_models(seed: int) -> dict[str, Pipeline]:
    """The three classifiers, each behind the same one-hot encoding."""

    def pipeline(model: object) -> Pipeline:
        encode = ColumnTransformer(
            [("onehot", OneHotEncoder(handle_unknown="ignore"), CATEGORICAL)], remainder="passthrough"
        )
        return Pipeline([("encode", encode), ("model", model)])

    return {
        "XGBoost": pipeline(
            XGBClassifier(n_estimators=50, max_depth=3, learning_rate=0.3, random_state=seed, n_jobs=1, verbosity=0)
        ),
        "Random forest": pipeline(RandomForestClassifier(n_estimators=200, random_state=seed, n_jobs=1)),
        "AdaBoost": pipeline(AdaBoostClassifier(n_estimators=100, random_state=seed)),
    }


@dataclass(frozen=True)
class ClassifierScores:
    model: str
    accuracy: float  # on the 70/30 split
    recall: tuple[float, ...]  # per mode 1, 2, 3
    f1: tuple[float, ...]
    confusion: np.ndarray  # rows true mode, columns predicted
    cv_mean: float
    cv_sd: float
    cv_folds: int


def compare_classifiers(data: pd.DataFrame, rng: np.random.Generator, repeats: int = 10) -> list[ClassifierScores]:
    """Evaluate the three models on the labelled communities (`mode` is the label)."""
    x = data[list(FEATURES)]
    y = data["mode"].to_numpy() - 1  # classes 0, 1, 2 for modes 1, 2, 3
    split_seed, model_seed, cv_seed = (int(s) for s in rng.integers(2**31 - 1, size=3))
    x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=0.3, stratify=y, random_state=split_seed)
    folds = RepeatedStratifiedKFold(n_splits=5, n_repeats=repeats, random_state=cv_seed)
    out = []
    for name, model in make_models(model_seed).items():
        fitted = clone(model).fit(x_train, y_train)
        predicted = fitted.predict(x_test)
        labels = list(range(len(MODES)))
        cv = cross_val_score(clone(model), x, y, cv=folds, scoring="accuracy")
        out.append(
            ClassifierScores(
                model=name,
                accuracy=float(accuracy_score(y_test, predicted)),
                recall=tuple(recall_score(y_test, predicted, labels=labels, average=None, zero_division=0)),
                f1=tuple(f1_score(y_test, predicted, labels=labels, average=None, zero_division=0)),
                confusion=confusion_matrix(y_test, predicted, labels=labels),
                cv_mean=float(cv.mean()),
                cv_sd=float(cv.std(ddof=1)),
                cv_folds=len(cv),
            )
        )
    return out


def classifier_table(scores: list[ClassifierScores]) -> pd.DataFrame:
    """Table 3's columns, plus cross-validated accuracy mean and standard deviation."""
    rows = []
    for s in scores:
        row: dict[str, object] = {"model": s.model, "accuracy": s.accuracy}
        for k, mode in enumerate(MODES):
            row[f"recall_{mode}"] = s.recall[k]
            row[f"f1_{mode}"] = s.f1[k]
        row |= {"cv_accuracy_mean": s.cv_mean, "cv_accuracy_sd": s.cv_sd, "cv_folds": s.cv_folds}
        rows.append(row)
    return pd.DataFrame(rows)


def fit_xgboost(data: pd.DataFrame, rng: np.random.Generator) -> Pipeline:
    """XGBoost trained on all labelled communities, for predicting regions' modes."""
    model = make_models(int(rng.integers(2**31 - 1)))["XGBoost"]
    return model.fit(data[list(FEATURES)], data["mode"] - 1)


def predict_modes(model: Pipeline, features: pd.DataFrame) -> list[int]:
    """Modes (1 exclusive, 2 dynamic joint, 3 lockers) for rows of the seven features."""
    return [int(p) + 1 for p in model.predict(features[list(FEATURES)])]
