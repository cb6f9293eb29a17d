#!/usr/bin/env python3
"""Reference values for the drift statistics in io.medpipe.monitoring.drift, computed with scipy.

The Java tests (TwoSampleStatisticsTest, BenjaminiHochbergTest, LivePerformanceTest, PriorShiftTest) hold the fixed
inputs below and the values this script prints, each next to the scipy call that produced it. Run it to regenerate:

    python3 src/test/resources/monitoring/reference_values.py

Checked with scipy 1.17.1 / numpy 2.4 (false_discovery_control needs scipy >= 1.11; binomtest's Wilson interval
>= 1.7). The larger samples come from a 64-bit linear congruential generator that Java reproduces bit for bit
(DriftFixtures.lcgUniform), so no data file is needed.
"""
import numpy as np
import scipy
from scipy import stats
from scipy.optimize import brentq
from scipy.spatial.distance import jensenshannon

MASK = (1 << 64) - 1


def lcg_uniform(seed, n):
    """Knuth's MMIX LCG; u = top 53 bits / 2^53, exactly as DriftFixtures.lcgUniform does in Java."""
    s = seed & MASK
    out = []
    for _ in range(n):
        s = (6364136223846793005 * s + 1442695040888963407) & MASK
        out.append((s >> 11) * 2.0 ** -53)
    return np.array(out)


def show(name, value):
    if isinstance(value, (tuple, list, np.ndarray)):
        print(f"{name} = " + ", ".join(repr(float(v)) for v in value))
    else:
        print(f"{name} = {float(value)!r}")


print("scipy", scipy.__version__)

# --- Kolmogorov-Smirnov, small samples, exact ---------------------------------------------------------------------
ks_x = [0.61, 1.42, 2.05, 2.88, 3.10, 3.95, 4.40, 5.12, 5.96, 6.30]
ks_y = [1.75, 2.60, 3.33, 4.05, 4.71, 5.30, 5.85, 6.48, 7.02, 7.66, 8.14, 8.90]
r = stats.ks_2samp(ks_x, ks_y, method='exact')
show("ks_small_exact (ks_2samp method='exact') D, p", (r.statistic, r.pvalue))

# ties within and between samples (lab values rounded to one decimal)
ks_tx = [1.0, 1.2, 1.2, 1.5, 1.7, 1.7, 1.7, 2.0, 2.2, 2.5, 2.5, 3.0]
ks_ty = [1.2, 1.5, 1.7, 2.0, 2.0, 2.2, 2.5, 2.8, 3.0, 3.0, 3.3, 3.5, 3.9, 4.0]
r = stats.ks_2samp(ks_tx, ks_ty, method='exact')
show("ks_ties_exact (ks_2samp method='exact') D, p", (r.statistic, r.pvalue))

# --- Kolmogorov-Smirnov, n=300 vs m=400 from the LCG, exact and asymptotic -----------------------------------------
lx = 10.0 * lcg_uniform(11, 300)
ly = 10.0 * 1.1 * lcg_uniform(12, 400) + 0.2
r = stats.ks_2samp(lx, ly, method='exact')
show("ks_lcg_exact (ks_2samp method='exact') D, p", (r.statistic, r.pvalue))
r = stats.ks_2samp(lx, ly, method='asymp')
show("ks_lcg_asymp (ks_2samp method='asymp') D, p", (r.statistic, r.pvalue))
show("kolmogorov limiting sf at z=0.5, 1.0, 1.36, 2.0 (scipy.special.kolmogorov)",
     [scipy.special.kolmogorov(z) for z in (0.5, 1.0, 1.36, 2.0)])

# --- Wasserstein-1 and its normed form (divided by the reference's population sd, ddof=0) --------------------------
show("wasserstein_small (wasserstein_distance(ks_x, ks_y))", stats.wasserstein_distance(ks_x, ks_y))
show("wasserstein_ties (wasserstein_distance(ks_tx, ks_ty))", stats.wasserstein_distance(ks_tx, ks_ty))
show("wasserstein_lcg (wasserstein_distance(lx, ly)), normed by np.std(lx)",
     (stats.wasserstein_distance(lx, ly), stats.wasserstein_distance(lx, ly) / np.std(lx)))

# --- chi-square test of homogeneity, 2 x k, no continuity correction ----------------------------------------------
table = np.array([[120, 45, 30, 5], [98, 60, 22, 20]])
r = stats.chi2_contingency(table, correction=False)
show("chi2_2x4 (chi2_contingency(correction=False)) stat, p, dof", (r.statistic, r.pvalue, r.dof))
# a column with zero counts in both rows: scipy refuses it (zero expected frequency), so the reference value is
# computed without it; the Java test passes the zero column and must drop it.
table0 = np.array([[50, 0, 30, 20], [35, 0, 45, 20]])
r = stats.chi2_contingency(table0[:, [0, 2, 3]], correction=False)
show("chi2_zero_column (chi2_contingency on the non-zero columns) stat, p, dof", (r.statistic, r.pvalue, r.dof))
# a category that is new in the window (reference count 0): a legitimate column
tableu = np.array([[70, 30, 0], [60, 30, 10]])
r = stats.chi2_contingency(tableu, correction=False)
show("chi2_unseen (chi2_contingency(correction=False)) stat, p, dof", (r.statistic, r.pvalue, r.dof))

# --- Jensen-Shannon distance, base 2 -------------------------------------------------------------------------------
show("js_2x4 (jensenshannon(table[0], table[1], base=2))", jensenshannon(table[0], table[1], base=2))
show("js_unseen (jensenshannon(tableu[0], tableu[1], base=2))", jensenshannon(tableu[0], tableu[1], base=2))
show("js_disjoint (jensenshannon([1,0],[0,1], base=2))", jensenshannon([1, 0], [0, 1], base=2))

# --- missing rate: two proportions -----------------------------------------------------------------------------------
miss = np.array([[40, 960], [70, 930]])  # rows: reference, window; columns: missing, present
r = stats.chi2_contingency(miss, correction=False)
show("missing_chi2 (chi2_contingency([[40,960],[70,930]], correction=False)) stat, p", (r.statistic, r.pvalue))
r = stats.fisher_exact([[1, 199], [7, 143]])
show("missing_fisher (fisher_exact([[1,199],[7,143]])) p", r.pvalue)
show("cohen_h for 0.04 vs 0.07 (2*asin(sqrt))", abs(2 * np.arcsin(np.sqrt(0.07)) - 2 * np.arcsin(np.sqrt(0.04))))

# --- Benjamini-Hochberg ---------------------------------------------------------------------------------------------
bh_p = [0.010, 0.001, 0.039, 0.041, 0.042, 0.060, 0.074, 0.205, 0.212, 0.216, 0.222, 0.251, 0.269, 0.275, 0.340]
show("bh (false_discovery_control(bh_p, method='bh'))", stats.false_discovery_control(bh_p, method='bh'))

# --- Wilson score interval -------------------------------------------------------------------------------------------
for k, n in ((18, 20), (0, 12), (47, 50)):
    ci = stats.binomtest(k, n).proportion_ci(confidence_level=0.95, method='wilson')
    show(f"wilson {k}/{n} (binomtest({k},{n}).proportion_ci(method='wilson'))", (ci.low, ci.high))

# --- rank AUC = Mann-Whitney U / (n1 n2) -----------------------------------------------------------------------------
auc_pos = [0.9, 0.8, 0.8, 0.55, 0.4]
auc_neg = [0.7, 0.5, 0.4, 0.3, 0.2, 0.8]
u = stats.mannwhitneyu(auc_pos, auc_neg).statistic
show("auc (mannwhitneyu(pos, neg).statistic / (5*6))", u / 30.0)

# --- EM prior re-estimation (Saerens et al. 2002), small hand example -----------------------------------------------
# Training prior (0.8, 0.2); calibrated P(class 1 | x) of five window rows. The EM fixed point is the maximum-
# likelihood prior q, the root of  sum_i (p_i/pi1 - (1-p_i)/pi0) / (q p_i/pi1 + (1-q)(1-p_i)/pi0) = 0.
em_p = np.array([0.9, 0.6, 0.35, 0.2, 0.05])
pi1, pi0 = 0.2, 0.8
score = lambda q: np.sum((em_p / pi1 - (1 - em_p) / pi0) / (q * em_p / pi1 + (1 - q) * (1 - em_p) / pi0))
show("em_hand (brentq on the likelihood equation) q1", brentq(score, 1e-9, 1 - 1e-9))

# --- likelihood-ratio test of "the prior is the training prior" at the EM estimate -------------------------------
q = brentq(score, 1e-9, 1 - 1e-9)
lr = 2 * np.sum(np.log(q * em_p / pi1 + (1 - q) * (1 - em_p) / pi0))
show("em_hand likelihood ratio, p (stats.chi2.sf(lr, 1))", (lr, stats.chi2.sf(lr, 1)))
