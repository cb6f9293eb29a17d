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

--oof OUTDIR instead writes the pooled out-of-fold probabilities of the single best peer of each shared table
(../shared/data, its peer_results.md protocol: numeric columns median-imputed with missing-value indicators,
categorical ones most-frequent-imputed and ordinal-coded, inside each training fold; columns constant or missing
in every row dropped; 300 trees; BRF with sampling_strategy='all', replacement=True, bootstrap=False; HGB defaults
with class_weight='balanced'), one file per seed, in the form bench/compare.py reads:
  /usr/bin/python3 bench/peers.py --oof bench-out/peers --seeds 20 [--sets heart_cleveland,hepatitis,...]
"""
import argparse
import os
import sys
import time
import warnings

# libgomp's threads (HistGradientBoosting) spin between parallel regions; on a loaded machine that made HGB ~30x
# slower. Must be set before OpenMP loads.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

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


SHARED = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "shared", "data")
# table: (label, folds file, the single best peer by macro F1 in its peer_results.md)
BEST_PEER = {
    "heart_cleveland": ("num", "folds_seed42.csv", "BRF"),
    "hepatitis": ("class", "folds_seed42.csv", "BRF"),
    "cardiotocography": ("class", "folds_grouped_seed42.csv", "HGB_balanced"),
    "arrhythmia": ("class", "folds_seed42.csv", "HGB_balanced"),
}


def shared_table(name, data_dir):
    label, folds_file, _ = BEST_PEER[name]
    df = pd.read_csv(os.path.join(data_dir, name, name + ".csv"))
    folds = pd.read_csv(os.path.join(data_dir, name, folds_file))
    fold = np.full(len(df), -1)
    fold[folds["row"].to_numpy()] = folds["fold"].to_numpy()
    y = df[label].astype(str).to_numpy()
    x = df.drop(columns=[label])
    keep = [c for c in x.columns if x[c].notna().any() and x[c].nunique(dropna=True) > 1]
    x = x[keep]
    categorical = [c for c in x.columns if x[c].dtype == object]
    return x, y, fold, categorical


def peer_model(kind, numeric, categorical, seed):
    from sklearn.compose import ColumnTransformer
    from sklearn.preprocessing import OrdinalEncoder
    from sklearn.pipeline import Pipeline
    steps = [("num", SimpleImputer(strategy="median", add_indicator=True), numeric)]
    if categorical:
        steps.append(("cat", Pipeline([("impute", SimpleImputer(strategy="most_frequent")),
                                       ("codes", OrdinalEncoder(handle_unknown="use_encoded_value",
                                                                unknown_value=-1))]), categorical))
    prep = ColumnTransformer(steps)
    if kind == "BRF":
        model = BalancedRandomForestClassifier(n_estimators=TREES, sampling_strategy="all", replacement=True,
                                               bootstrap=False, n_jobs=2, random_state=seed)
    else:
        model = HistGradientBoostingClassifier(class_weight="balanced", random_state=seed)
    return make_pipeline(prep, model)


def write_oof(out, sets, seeds, data_dir):
    for name in sets:
        x, y, fold, categorical = shared_table(name, data_dir)
        numeric = [c for c in x.columns if c not in categorical]
        kind = BEST_PEER[name][2]
        classes = sorted(set(y))
        os.makedirs(os.path.join(out, name), exist_ok=True)
        for s in range(seeds):
            seed = 42 + s
            proba = np.zeros((len(y), len(classes)))
            start = time.time()
            for f in np.unique(fold):
                train, test = fold != f, fold == f
                model = peer_model(kind, numeric, categorical, seed)
                model.fit(x[train], y[train])
                seen = list(model.classes_)
                p = model.predict_proba(x[test])
                for j, c in enumerate(classes):
                    proba[test, j] = p[:, seen.index(c)] if c in seen else 0.0
            seconds = time.time() - start
            predicted = np.array(classes)[proba.argmax(axis=1)]
            frame = pd.DataFrame({"row": np.arange(len(y)), "fold": fold, "true_class": y,
                                  "predicted_class": predicted})
            for j, c in enumerate(classes):
                frame["p_" + c] = proba[:, j]
            path = os.path.join(out, name, f"{kind}-seed{seed}.csv")
            frame.to_csv(path, index=False, float_format="%.6f")
            print(f"{name} {kind} seed {seed}: {seconds:.1f} s (load {os.getloadavg()[0]:.2f}) -> {path}")
            sys.stdout.flush()


def six_peers(numeric, categorical, seed):
    """The six configurations of peer_results.md, each behind the same preprocessing."""
    from imblearn.pipeline import Pipeline as ImbPipeline
    base = peer_model("HGB_balanced", numeric, categorical, seed).steps[0][1]

    def with_prep(*steps):
        from sklearn.base import clone
        return ImbPipeline([("prep", clone(base))] + [(f"s{i}", st) for i, st in enumerate(steps)])

    def smote():
        return SMOTE(random_state=seed)
    return {
        "RF": lambda: with_prep(RandomForestClassifier(n_estimators=TREES, n_jobs=2, random_state=seed)),
        "RF_balanced": lambda: with_prep(RandomForestClassifier(n_estimators=TREES, class_weight="balanced",
                                                                n_jobs=2, random_state=seed)),
        "SMOTE_RF": lambda: with_prep(smote(), RandomForestClassifier(n_estimators=TREES, n_jobs=2,
                                                                      random_state=seed)),
        "BRF": lambda: peer_model("BRF", numeric, categorical, seed),
        "HGB": lambda: with_prep(HistGradientBoostingClassifier(random_state=seed)),
        "HGB_balanced": lambda: peer_model("HGB_balanced", numeric, categorical, seed),
    }


def time_peers(table, label, folds_out):
    """Fit seconds of the six peer configurations on 5 stratified folds (seed 42) of a CSV; writes the folds."""
    from sklearn.model_selection import StratifiedKFold
    df = pd.read_csv(table)
    y = df[label].astype(str).to_numpy()
    x = df.drop(columns=[label])
    categorical = [c for c in x.columns if x[c].dtype == object]
    numeric = [c for c in x.columns if c not in categorical]
    fold = np.zeros(len(y), dtype=int)
    for f, (_, test) in enumerate(StratifiedKFold(5, shuffle=True, random_state=42).split(x, y)):
        fold[test] = f
    pd.DataFrame({"row": np.arange(len(y)), "fold": fold, "class": y}).to_csv(folds_out, index=False)
    total = 0.0
    for name, make in six_peers(numeric, categorical, 42).items():
        seconds = 0.0
        for f in range(5):
            train = fold != f
            model = make()
            start = time.time()
            model.fit(x[train], y[train])
            seconds += time.time() - start
        total += seconds
        print(f"{name}: fit {seconds:.1f} s over 5 folds (load {os.getloadavg()[0]:.2f})")
        sys.stdout.flush()
    print(f"all six: {total:.1f} s")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--time", nargs=3, metavar=("TABLE.csv", "LABEL", "FOLDS_OUT.csv"),
                        help="time the six peer configurations on 5 stratified folds of a table")
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--encoding", choices=["onehot", "ordinal", "both"], default="both")
    parser.add_argument("--oof", help="write the best peer's out-of-fold probabilities of the shared tables here")
    parser.add_argument("--sets", default=",".join(BEST_PEER))
    parser.add_argument("--data", default=SHARED, help="the shared data directory")
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    if args.oof:
        write_oof(args.oof, args.sets.split(","), args.seeds, args.data)
        return
    if args.time:
        time_peers(*args.time)
        return
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
