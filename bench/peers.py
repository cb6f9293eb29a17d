#!/usr/bin/env python3
"""The scikit-learn peers of docs/benchmarks.md, rerun here: same folds, many seeds, two encodings.

The data sets' README cites one figure per column for the best of five scikit-learn 1.2.1 + imbalanced-learn 0.10.0
models (RF, RF class_weight=balanced, SMOTE+RF, BalancedRandomForest, HistGradientBoosting) on folds_seed42.csv,
300 trees. It does not say how categorical and missing values were encoded or which random_state the models had.
This script reruns the five with the same versions (Debian bookworm: python3-sklearn 1.2.1, python3-imblearn 0.10.0,
python3-pandas), the same folds and pooled out-of-fold predictions, for model seeds 42, 43, ... and for two encodings
(one-hot or ordinal categories; median imputation inside each training fold), and prints how far one draw moves.

Each column is what the README's table shows: macro F1, balanced accuracy, the rarest class's average precision
(scikit-learn's AUPRC) and recall, decided by the most probable class; plus the rarest class's specificity at that
decision and, as a matched operating point, the rarest recall at specificity >= 0.90 with the threshold read off the
pooled out-of-fold scores themselves (an oracle threshold, which favours the peer).

Usage (packages from Debian, not pip):
  apt-get install -y python3-sklearn python3-imblearn python3-pandas
  /usr/bin/python3 bench/peers.py [--seeds 20] [--encoding onehot|ordinal|both]
"""
import argparse
import os
import sys
import warnings

import numpy as np
import pandas as pd
import sklearn
import imblearn
from imblearn.ensemble import BalancedRandomForestClassifier
from imblearn.over_sampling import SMOTE
from imblearn.pipeline import make_pipeline
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
from sklearn.impute import SimpleImputer
from sklearn.metrics import average_precision_score, balanced_accuracy_score, f1_score

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src", "test", "resources", "data")
SETS = [("heart_cleveland", "num"), ("hepatitis", "class")]
COLUMNS = ["macro F1", "balanced acc", "rarest AUPRC", "rarest recall", "rarest spec.", "recall @ spec>=0.90"]
TREES = 300


def load(name, label, encoding):
    df = pd.read_csv(os.path.join(DATA, name, name + ".csv"))
    folds = pd.read_csv(os.path.join(DATA, name, "folds_seed42.csv"))["fold"].to_numpy()
    if len(folds) != len(df):
        sys.exit(f"{name}: folds_seed42.csv has {len(folds)} rows, the data {len(df)}")
    y = df[label].astype(str).to_numpy()
    x = df.drop(columns=[label])
    categorical = [c for c in x.columns if x[c].dtype == object]
    if encoding == "onehot":
        dummies = pd.get_dummies(x, columns=categorical).astype(float)
        for c in categorical:  # a missing category stays missing in every dummy of its column
            dummies.loc[x[c].isna(), [d for d in dummies.columns if d.startswith(c + "_")]] = np.nan
        x = dummies
    else:
        for c in categorical:
            x[c] = x[c].astype("category").cat.codes.replace(-1, np.nan)
    return x.to_numpy(dtype=float), y, folds


def peers(seed):
    def impute():
        return SimpleImputer(strategy="median")
    return {
        "RF": lambda: make_pipeline(impute(), RandomForestClassifier(n_estimators=TREES, random_state=seed, n_jobs=-1)),
        "RF balanced": lambda: make_pipeline(impute(), RandomForestClassifier(
            n_estimators=TREES, class_weight="balanced", random_state=seed, n_jobs=-1)),
        "SMOTE+RF": lambda: make_pipeline(impute(), SMOTE(random_state=seed), RandomForestClassifier(
            n_estimators=TREES, random_state=seed, n_jobs=-1)),
        "BRF": lambda: make_pipeline(impute(), BalancedRandomForestClassifier(
            n_estimators=TREES, random_state=seed, n_jobs=-1)),
        "HGB": lambda: HistGradientBoostingClassifier(random_state=seed),
    }


def recall_at_specificity(positive, score, floor):
    """Best recall over thresholds on the pooled scores whose specificity is at least floor."""
    negatives = (~positive).sum()
    best = 0.0
    for t in np.unique(score):
        flagged = score >= t
        specificity = 1 - (flagged & ~positive).sum() / negatives
        if specificity >= floor:
            best = max(best, (flagged & positive).sum() / positive.sum())
    return best


def evaluate(x, y, folds, make):
    classes = np.unique(y)
    proba = np.zeros((len(y), len(classes)))
    for f in np.unique(folds):
        train, test = folds != f, folds == f
        model = make()
        model.fit(x[train], y[train])
        seen = list(model.classes_)
        p = model.predict_proba(x[test])
        for j, c in enumerate(classes):
            proba[test, j] = p[:, seen.index(c)] if c in seen else 0.0
    counts = {c: (y == c).sum() for c in classes}
    rare = min(classes, key=lambda c: counts[c])
    r = list(classes).index(rare)
    predicted = classes[proba.argmax(axis=1)]
    positive = y == rare
    flagged = predicted == rare
    return [
        f1_score(y, predicted, average="macro"),
        balanced_accuracy_score(y, predicted),
        average_precision_score(positive, proba[:, r]),
        (flagged & positive).sum() / positive.sum(),
        1 - (flagged & ~positive).sum() / (~positive).sum(),
        recall_at_specificity(positive, proba[:, r], 0.90),
    ]


def summary(rows):
    a = np.array(rows)
    return a.mean(axis=0), a.std(axis=0, ddof=1) if len(a) > 1 else np.zeros(a.shape[1]), a.min(axis=0), a.max(axis=0)


def cells(values):
    return " | ".join(f"{v:.3f}" for v in values)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--encoding", choices=["onehot", "ordinal", "both"], default="both")
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    print(f"scikit-learn {sklearn.__version__}, imbalanced-learn {imblearn.__version__}; {TREES} trees; "
          f"folds_seed42.csv; model seeds 42..{41 + args.seeds}")
    encodings = ["onehot", "ordinal"] if args.encoding == "both" else [args.encoding]
    for name, label in SETS:
        for encoding in encodings:
            x, y, folds = load(name, label, encoding)
            per_peer = {p: [] for p in peers(0)}
            best = []
            for s in range(args.seeds):
                seed = 42 + s
                rows = {p: evaluate(x, y, folds, make) for p, make in peers(seed).items()}
                for p, row in rows.items():
                    per_peer[p].append(row)
                best.append([max(rows[p][c] for p in rows) for c in range(len(COLUMNS))])
                if seed == 42:
                    print(f"\n{name}, {encoding} encoding, seed 42 (the README's protocol, one draw)")
                    print("| peer | " + " | ".join(COLUMNS) + " |")
                    print("|---" * (len(COLUMNS) + 1) + "|")
                    for p, row in rows.items():
                        print(f"| {p} | {cells(row)} |")
            print(f"\n{name}, {encoding} encoding, {args.seeds} seeds: mean (sd) [min, max]")
            print("| peer | " + " | ".join(COLUMNS) + " |")
            print("|---" * (len(COLUMNS) + 1) + "|")
            for p, rows in list(per_peer.items()) + [("max over peers per column and seed (mixes peers and operating points; biased up)", best)]:
                mean, sd, low, high = summary(rows)
                print(f"| {p} | " + " | ".join(
                    f"{m:.3f} ({d:.3f}) [{lo:.3f}, {hi:.3f}]" for m, d, lo, hi in zip(mean, sd, low, high)) + " |")
            sys.stdout.flush()


if __name__ == "__main__":
    main()
