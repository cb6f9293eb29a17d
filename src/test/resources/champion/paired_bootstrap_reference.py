"""Reference figures for PairedBootstrapTest, computed with numpy and scikit-learn (never a runtime dependency).

A fixed table of 400 patients (32 with the rare disease) scored by two models: the challenger separates the classes a
little better and flags with its own threshold, the champion with another. Point values (recall at each model's decision,
average precision as sklearn.metrics.average_precision_score) must match exactly; the paired percentile bootstrap uses
another random generator than the Java code, so its bounds are compared within a tolerance (20,000 resamples each).

Run: /usr/bin/python3 paired_bootstrap_reference.py (Debian python3-sklearn)  (writes paired_bootstrap_table.csv and paired_bootstrap_reference.json)
"""
import json

import numpy as np
from sklearn.metrics import average_precision_score

rng = np.random.default_rng(2024)
n = 400
positive = np.zeros(n, dtype=bool)
positive[rng.choice(n, 32, replace=False)] = True
base = rng.normal(size=n)
challenger = 1 / (1 + np.exp(-(base + np.where(positive, 2.4, 0.0) + rng.normal(scale=0.8, size=n) - 3)))
champion = 1 / (1 + np.exp(-(base + np.where(positive, 1.9, 0.0) + rng.normal(scale=0.8, size=n) - 3)))
# ties, as calibrated probabilities have them
challenger = np.round(challenger, 3)
champion = np.round(champion, 3)
called_a = challenger > 0.15
called_b = champion > 0.12

with open("paired_bootstrap_table.csv", "w") as f:
    f.write("positive,challenger,champion,challenger_called,champion_called\n")
    for i in range(n):
        f.write(f"{int(positive[i])},{challenger[i]!r},{champion[i]!r},{int(called_a[i])},{int(called_b[i])}\n")


def recall(pos, called):
    return called[pos].mean()


B = 20000
boot = rng.integers(0, n, size=(B, n))
ra, rb, aa, ab = [], [], [], []
for idx in boot:
    p = positive[idx]
    if not p.any():
        continue
    ra.append(recall(p, called_a[idx]))
    rb.append(recall(p, called_b[idx]))
    aa.append(average_precision_score(p, challenger[idx]))
    ab.append(average_precision_score(p, champion[idx]))
ra, rb, aa, ab = map(np.array, (ra, rb, aa, ab))


def interval(value, reps):
    return {"value": float(value), "lower": float(np.percentile(reps, 2.5)), "upper": float(np.percentile(reps, 97.5))}


ref = {
    "resamples": B,
    "challengerRecall": interval(recall(positive, called_a), ra),
    "championRecall": interval(recall(positive, called_b), rb),
    "recallDifference": interval(recall(positive, called_a) - recall(positive, called_b), ra - rb),
    "challengerAuprc": interval(average_precision_score(positive, challenger), aa),
    "championAuprc": interval(average_precision_score(positive, champion), ab),
    "auprcDifference": interval(average_precision_score(positive, challenger) - average_precision_score(positive, champion),
                                aa - ab),
    # the unpaired interval of the difference (independent resamples per model), to show pairing narrows it
    "unpairedAuprcDifferenceWidth": float(np.percentile(aa - np.random.default_rng(7).permutation(ab), 97.5)
                                          - np.percentile(aa - np.random.default_rng(7).permutation(ab), 2.5)),
}
with open("paired_bootstrap_reference.json", "w") as f:
    json.dump(ref, f, indent=2)
print(json.dumps(ref, indent=2))
