#!/usr/bin/env python3
"""A 9,000 x 30 table shaped like the 9-class export of issue 13, for timing medpipe evaluate against the peers.

scikit-learn's make_classification (random_state 7): 9 classes of 6,644 / 655 / 428 / 340 / 310 / 229 / 194 / 167 / 33
rows, 12 informative features among 30, class_sep 2.5, no label noise; then 4% of the values missing, and the
first column turned into a five-level categorical. Written as CSV with the label in the last column "diagnosis".

Usage: /usr/bin/python3 bench/make_synthetic.py OUT.csv
"""
import sys

import numpy as np
from sklearn.datasets import make_classification

COUNTS = [6644, 655, 428, 340, 310, 229, 194, 167, 33]


def main():
    n = sum(COUNTS)
    x, y = make_classification(n_samples=n, n_features=30, n_informative=12, n_redundant=4, n_classes=9,
                               n_clusters_per_class=1, weights=[c / n for c in COUNTS], class_sep=2.5, flip_y=0,
                               random_state=7)
    rng = np.random.default_rng(7)
    x = np.round(x, 4).astype(object)
    x[rng.random(x.shape) < 0.04] = ""
    levels = np.array(["a", "b", "c", "d", "e"])
    first = np.array([levels[int(abs(float(v)) * 2) % 5] if v != "" else "" for v in x[:, 0]], dtype=object)
    x[:, 0] = first
    names = [f"x{j}" for j in range(30)]
    with open(sys.argv[1], "w") as f:
        f.write(",".join(names) + ",diagnosis\n")
        for row, label in zip(x, y):
            f.write(",".join(str(v) for v in row) + f",class_{label}\n")


if __name__ == "__main__":
    main()
