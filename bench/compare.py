#!/usr/bin/env python3
"""One scorer for medpipe's and the peers' out-of-fold predictions: the goal columns of docs/benchmarks.md.

Each input is a CSV of pooled out-of-fold predictions: columns true_class, predicted_class (the served decision) and
p_<class> per class (medpipe evaluate --out writes oof_predictions.csv in this form; bench/peers.py --oof writes the
peers' in the same form). The research prototypes' p0..pk files are read too (--classes gives their class order).

Columns, per file:
  macro F1, balanced accuracy      at the served decision (predicted_class); scikit-learn's definitions
  mean minority AUPRC              average precision over every class but the largest (scikit-learn's AUPRC)
  Brier                            multi-class: sum over classes, mean over rows
  rarest recall / specificity      of the rarest class, at the served decision
  peer recall at that specificity  with --against: the OTHER file's best recall of the rarest class over thresholds
                                   on its pooled scores whose specificity is at least this file's (an oracle
                                   threshold: it favours the other file)
Usage: /usr/bin/python3 bench/compare.py medpipe.csv peer.csv [more.csv ...] [--names a,b,...] [--classes c0,c1,..]
The first file is compared against each other file ("goal met" per column).
"""
import argparse
import sys

import numpy as np
import pandas as pd
from sklearn.metrics import average_precision_score, balanced_accuracy_score, f1_score


def load(path, classes=None):
    df = pd.read_csv(path)
    pcols = [c for c in df.columns if c.startswith("p_")]
    if pcols:
        names = [c[2:] for c in pcols]
        proba = df[pcols].to_numpy(dtype=float)
        truth = df["true_class"].astype(str).to_numpy()
        pred = df["predicted_class"].astype(str).to_numpy() if "predicted_class" in df else None
        return names, truth, proba, pred
    pcols = [c for c in df.columns if c.startswith("p") and c[1:].isdigit()]
    if classes is None:
        sys.exit(f"{path}: p0.. columns need --classes")
    proba = df[pcols].to_numpy(dtype=float)
    return classes, None, proba, None


def recall_at_specificity(positive, score, floor):
    """Best recall over thresholds (flag score >= t) whose specificity is at least floor."""
    negatives = (~positive).sum()
    best = 0.0
    for t in np.unique(score):
        flagged = score >= t
        if 1 - (flagged & ~positive).sum() / negatives >= floor - 1e-12:
            best = max(best, (flagged & positive).sum() / positive.sum())
    return best


def score(names, truth, proba, pred):
    k = len(names)
    y = np.array([names.index(t) for t in truth])
    decided = np.array([names.index(p) for p in pred]) if pred is not None else proba.argmax(axis=1)
    counts = np.bincount(y, minlength=k)
    majority = int(np.argmax(counts))
    present = [c for c in range(k) if counts[c] > 0]
    rarest = min(present, key=lambda c: (counts[c], c))
    minority = [c for c in present if c != majority]
    onehot = np.eye(k)[y]
    positive = y == rarest
    flagged = decided == rarest
    return {
        "macro F1": f1_score(y, decided, labels=list(range(k)), average="macro", zero_division=0),
        "balanced acc": balanced_accuracy_score(y, decided),
        "mean minority AUPRC": float(np.mean([average_precision_score(y == c, proba[:, c]) for c in minority])),
        "Brier": float(np.mean(np.sum((proba - onehot) ** 2, axis=1))),
        "rarest recall": (flagged & positive).sum() / positive.sum(),
        "rarest spec.": 1 - (flagged & ~positive).sum() / (~positive).sum(),
        "rarest flags": int(flagged.sum()),
        "_y": y, "_proba": proba, "_rarest": rarest, "_rarest_name": names[rarest], "_n": int(counts[rarest]),
    }


COLUMNS = ["macro F1", "balanced acc", "mean minority AUPRC", "Brier", "rarest recall", "rarest spec.", "rarest flags"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("files", nargs="+")
    ap.add_argument("--names")
    ap.add_argument("--classes")
    args = ap.parse_args()
    classes = args.classes.split(",") if args.classes else None
    names = args.names.split(",") if args.names else args.files
    first = None
    rows = []
    for path, name in zip(args.files, names):
        cls, truth, proba, pred = load(path, classes)
        if truth is None:
            truth = first[1]
        s = score(cls, truth, proba, pred)
        if first is None:
            first = (cls, truth)
        rows.append((name, s))
    print(f"rarest class: {rows[0][1]['_rarest_name']} ({rows[0][1]['_n']} rows)")
    print("| model | " + " | ".join(COLUMNS) + " | rarest recall of this model at the first's specificity |")
    print("|---" * (len(COLUMNS) + 2) + "|")
    base = rows[0][1]
    for name, s in rows:
        at = recall_at_specificity(s["_y"] == s["_rarest"], s["_proba"][:, s["_rarest"]], base["rarest spec."])
        s["at first spec"] = at
        cells = [f"{s[c]:.3f}" if isinstance(s[c], float) else str(s[c]) for c in COLUMNS]
        print(f"| {name} | " + " | ".join(cells) + f" | {at:.3f} |")
    for name, s in rows[1:]:
        verdict = {
            "macro F1": base["macro F1"] >= s["macro F1"],
            "balanced acc": base["balanced acc"] >= s["balanced acc"],
            "mean minority AUPRC": base["mean minority AUPRC"] >= s["mean minority AUPRC"],
            "Brier": base["Brier"] <= s["Brier"],
            "rarest recall vs peer at same specificity": base["rarest recall"] >= s["at first spec"],
        }
        print(f"goal against {name}: " + "; ".join(f"{k} {'met' if v else 'NOT met'}" for k, v in verdict.items()))


if __name__ == "__main__":
    main()
