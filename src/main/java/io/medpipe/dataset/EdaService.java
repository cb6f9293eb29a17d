package io.medpipe.dataset;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.stereotype.Service;

/** Computes a snapshot's imbalance-focused EDA and stores it as a report. */
@Service
public class EdaService {

  /** Fewer rows than this in a class and it cannot be both trained on and evaluated. */
  static final int MIN_ROWS_TO_EVALUATE = 5;

  private final SnapshotStore snapshots;
  private final ReportStore reports;

  public EdaService(SnapshotStore snapshots, ReportStore reports) {
    this.snapshots = snapshots;
    this.reports = reports;
  }

  /** The stored report's id and its content. */
  public record Result(UUID reportId, EdaReport report) {}

  /** Analyses the snapshot and stores the report as JSON with its HTML rendering (inline SVG charts). */
  public Result analyse(UUID snapshotId, String processInstanceId) {
    FeatureTable table = snapshots.table(snapshotId);
    EdaReport report = analyse(table);
    String html = EdaHtml.render(report, table, snapshots.find(snapshotId));
    return new Result(reports.save("eda", snapshotId, report, html, processInstanceId), report);
  }

  public static EdaReport analyse(FeatureTable table) {
    int[] counts = table.classCounts();
    int majority = 0;
    int minority = 0;
    for (int k = 0; k < counts.length; k++) {
      if (counts[k] > counts[majority]) {
        majority = k;
      }
      if (counts[k] < counts[minority]) {
        minority = k;
      }
    }
    List<EdaReport.ClassShare> classes = new ArrayList<>();
    List<String> notEvaluable = new ArrayList<>();
    for (int k = 0; k < counts.length; k++) {
      classes.add(new EdaReport.ClassShare(table.classes().get(k), counts[k], (double) counts[k] / table.rows(),
          (double) counts[k] / counts[majority]));
      if (counts[k] < MIN_ROWS_TO_EVALUATE) {
        notEvaluable.add(table.classes().get(k));
      }
    }
    List<EdaReport.FeatureSummary> features = new ArrayList<>();
    for (int j = 0; j < table.features().size(); j++) {
      int missing = 0;
      double sum = 0;
      double[] classSum = new double[counts.length];
      int[] classN = new int[counts.length];
      for (int i = 0; i < table.rows(); i++) {
        double v = table.x()[i][j];
        if (Double.isNaN(v)) {
          missing++;
        } else {
          sum += v;
          classSum[table.y()[i]] += v;
          classN[table.y()[i]]++;
        }
      }
      Map<String, Double> byClass = new LinkedHashMap<>();
      for (int k = 0; k < counts.length; k++) {
        byClass.put(table.classes().get(k), classN[k] == 0 ? null : round(classSum[k] / classN[k]));
      }
      int observed = table.rows() - missing;
      double[] values = new double[observed];
      int n = 0;
      for (int i = 0; i < table.rows(); i++) {
        if (!Double.isNaN(table.x()[i][j])) {
          values[n++] = table.x()[i][j];
        }
      }
      java.util.Arrays.sort(values);
      double mean = observed == 0 ? Double.NaN : sum / observed;
      double ss = 0;
      for (double v : values) {
        ss += (v - mean) * (v - mean);
      }
      double sd = observed < 2 ? 0 : Math.sqrt(ss / (observed - 1));
      double separation = 0;
      for (int k = 0; k < counts.length; k++) {
        if (classN[k] > 0 && sd > 0) {
          separation = Math.max(separation, Math.abs(classSum[k] / classN[k] - mean) / sd);
        }
      }
      features.add(new EdaReport.FeatureSummary(table.features().get(j).name(), table.features().get(j).type().name(),
          round((double) missing / table.rows()), observed == 0 ? Double.NaN : round(mean), byClass,
          observed == 0 ? Double.NaN : values[0], observed == 0 ? Double.NaN : round(median(values)),
          observed == 0 ? Double.NaN : values[observed - 1], round(sd), round(separation)));
    }
    return new EdaReport(table.rows(), classes, table.classes().get(majority), table.classes().get(minority),
        counts[minority],
        counts[minority] == 0 ? Double.POSITIVE_INFINITY : (double) counts[majority] / counts[minority],
        features, notEvaluable);
  }

  private static double median(double[] sorted) {
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }

  private static double round(double v) {
    return Math.round(v * 10000) / 10000.0;
  }
}
