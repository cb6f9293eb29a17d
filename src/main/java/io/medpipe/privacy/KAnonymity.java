package io.medpipe.privacy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * k-anonymity over the quasi-identifiers a snapshot releases (age band, sex): every combination must be shared by at
 * least k rows. Rows in smaller classes are first generalised (20-year age band); rows still in a class below k are
 * suppressed (their age is withheld: the row itself stays, so a rare disease case is not lost).
 *
 * <p>ZIP is not a quasi-identifier here because no snapshot carries it, not even as ZIP3: an attribute an attacker
 * cannot find in the release cannot link a row to a person. Counting it anyway made the classes tiny (about 45% of a
 * 100,000-patient cohort generalised) and gave the models coarsened ages that production never sends, a skew the
 * drift monitor then reported as age drift on a fresh sample of the same population.
 */
public final class KAnonymity {

  /** What happens to a row's quasi-identifiers. */
  public enum Action { KEEP, GENERALISE, SUPPRESS }

  /** One row's quasi-identifiers: age in years (NaN = unknown) and sex. */
  public record Quasi(double age, String sex) {}

  /**
   * The report stored in the snapshot's metadata.
   *
   * @param k                    the configured k
   * @param quasiIdentifiers     the attributes the classes are formed on
   * @param classesBefore        equivalence classes on (5-year band, sex)
   * @param smallestClassBefore  smallest class size before generalisation
   * @param rowsBelowK           rows in classes smaller than k before anything was done
   * @param rowsGeneralised      rows whose age was coarsened to a 20-year band
   * @param rowsSuppressed       rows whose age was withheld
   * @param smallestClassAfter   smallest class size after generalisation and suppression
   */
  public record Report(int k, List<String> quasiIdentifiers, int classesBefore, int smallestClassBefore,
                       int rowsBelowK, int rowsGeneralised, int rowsSuppressed, int smallestClassAfter) {}

  /** Actions per row and the report. */
  public record Result(Action[] actions, Report report) {}

  private KAnonymity() {
  }

  public static String band(double age, int width) {
    if (Double.isNaN(age)) {
      return "?";
    }
    if (age >= Pseudonymizer.AGE_TOP_CODE) {
      return "90+";
    }
    int lo = (int) Math.floor(age / width) * width;
    return lo + "-" + (lo + width - 1);
  }

  /** Age band midpoint for a generalised row. */
  public static double generalisedAge(double age) {
    if (Double.isNaN(age) || age >= Pseudonymizer.AGE_TOP_CODE) {
      return age;
    }
    int lo = (int) Math.floor(age / 20) * 20;
    return Math.min(lo + 10, Pseudonymizer.AGE_TOP_CODE - 1);
  }

  public static Result enforce(List<Quasi> rows, int k) {
    if (k < 1) {
      throw new IllegalArgumentException("k must be at least 1, was " + k);
    }
    int n = rows.size();
    List<String> fine = new ArrayList<>(n);
    Map<String, Integer> fineCounts = new HashMap<>();
    for (Quasi q : rows) {
      String key = band(q.age(), 5) + "|" + q.sex();
      fine.add(key);
      fineCounts.merge(key, 1, Integer::sum);
    }
    Action[] actions = new Action[n];
    List<String> keys = new ArrayList<>(n);
    Map<String, Integer> coarseCounts = new HashMap<>();
    int below = 0;
    for (int i = 0; i < n; i++) {
      if (fineCounts.get(fine.get(i)) >= k) {
        actions[i] = Action.KEEP;
        keys.add(fine.get(i));
      } else {
        below++;
        actions[i] = Action.GENERALISE;
        String key = "g:" + band(rows.get(i).age(), 20) + "|" + rows.get(i).sex();
        keys.add(key);
        coarseCounts.merge(key, 1, Integer::sum);
      }
    }
    int generalised = 0;
    int suppressed = 0;
    Map<String, Integer> after = new HashMap<>();
    for (int i = 0; i < n; i++) {
      if (actions[i] == Action.GENERALISE && coarseCounts.get(keys.get(i)) < k) {
        actions[i] = Action.SUPPRESS;
        suppressed++;
        keys.set(i, "s:" + rows.get(i).sex());
      } else if (actions[i] == Action.GENERALISE) {
        generalised++;
      }
      after.merge(keys.get(i), 1, Integer::sum);
    }
    int smallestBefore = fineCounts.values().stream().mapToInt(Integer::intValue).min().orElse(0);
    int smallestAfter = after.values().stream().mapToInt(Integer::intValue).min().orElse(0);
    return new Result(actions, new Report(k, List.of("age band", "sex"), fineCounts.size(), smallestBefore,
        below, generalised, suppressed, smallestAfter));
  }
}
