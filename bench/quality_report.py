#!/usr/bin/env python3
"""The verdict table of docs/benchmarks.md "Model quality against the peers": medpipe's default (bench/quality.sh)
against each table's single best peer (bench/peers.py --oof), both over the same model seeds, scored by
bench/compare.py's one scorer.

Usage: /usr/bin/python3 bench/quality_report.py OUT_DIR
"""
import glob
import os
import re
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from compare import load, recall_at_specificity, score  # noqa: E402

PEER = {"heart_cleveland": "BRF", "hepatitis": "BRF", "cardiotocography": "HGB_balanced",
        "arrhythmia": "HGB_balanced"}
# What each table's peer_results.md cites for that peer (seed 42): macro F1, balanced accuracy, the mean of the
# AUPRCs it lists for the minority classes, and the rarest class's recall. It cites no Brier score.
CITED = {
    "heart_cleveland": (0.346, 0.348, np.mean([0.100, 0.244, 0.246, 0.198]), 0.154),
    "hepatitis": (0.745, 0.778, 0.654, 0.719),
    "cardiotocography": (0.870, 0.869, np.mean([0.921, 0.837]), 0.841),
    "arrhythmia": (0.463, 0.464, np.mean([0.022, 0.044, 0.100, 0.268, 0.989, 0.536, 0.830, 0.680, 0.047, 0.728,
                                          0.556, 0.745]), 0.000),
}
COLS = ["macro F1", "balanced acc", "mean minority AUPRC", "Brier", "rarest recall"]


def seeds_of(pattern):
    out = {}
    for path in glob.glob(pattern):
        m = re.search(r"seed(\d+)", path)
        out[int(m.group(1))] = path
    return out


def fmt(values):
    a = np.array(values, dtype=float)
    return f"{a.mean():.3f} ({a.std(ddof=1) if len(a) > 1 else 0:.3f})"


def main():
    out = sys.argv[1]
    for table, peer in PEER.items():
        ours = seeds_of(os.path.join(out, "medpipe", table, "seed*", "oof_predictions.csv"))
        theirs = seeds_of(os.path.join(out, "peers", table, f"{peer}-seed*.csv"))
        common = sorted(set(ours) & set(theirs))
        if not common:
            continue
        rows = {c: ([], []) for c in COLS}
        peer_at = []
        spec = []
        flags = ([], [])
        for s in common:
            a = score(*load(ours[s]))
            b = score(*load(theirs[s]))
            for c in COLS:
                rows[c][0].append(a[c])
                rows[c][1].append(b[c])
            spec.append(a["rarest spec."])
            flags[0].append(a["rarest flags"])
            flags[1].append(b["rarest flags"])
            peer_at.append(recall_at_specificity(b["_y"] == b["_rarest"], b["_proba"][:, b["_rarest"]],
                                                 a["rarest spec."]))
            rarest = f"{a['_rarest_name']} ({a['_n']} rows)"
        print(f"\n### {table}: medpipe default vs {peer}, seeds {common[0]}..{common[-1]} ({len(common)}), "
              f"rarest class {rarest}\n")
        print("| column | medpipe mean (sd) | peer mean (sd) | met |")
        print("|---|---|---|---|")
        for c in COLS[:4]:
            m, p = np.mean(rows[c][0]), np.mean(rows[c][1])
            met = m <= p if c == "Brier" else m >= p
            print(f"| {c} | {fmt(rows[c][0])} | {fmt(rows[c][1])} | {'yes' if met else 'NO'} |")
        m, p = np.mean(rows["rarest recall"][0]), np.mean(peer_at)
        print(f"| rarest recall at medpipe's decision (specificity {np.mean(spec):.3f}) vs the peer's at that "
              f"specificity | {fmt(rows['rarest recall'][0])} | {fmt(peer_at)} | {'yes' if m >= p else 'NO'} |")
        print(f"| (rarest flags at the served decision) | {np.mean(flags[0]):.1f} | {np.mean(flags[1]):.1f} | |")
        if 42 in common:
            a = score(*load(ours[42]))
            cited = CITED[table]
            print(f"\nseed 42 against the cited figures: macro F1 {a['macro F1']:.3f} vs {cited[0]:.3f}, balanced "
                  f"accuracy {a['balanced acc']:.3f} vs {cited[1]:.3f}, mean minority AUPRC "
                  f"{a['mean minority AUPRC']:.3f} vs {cited[2]:.3f}, rarest recall {a['rarest recall']:.3f} "
                  f"(specificity {a['rarest spec.']:.3f}) vs {cited[3]:.3f} at the peer's own decision")


if __name__ == "__main__":
    main()
