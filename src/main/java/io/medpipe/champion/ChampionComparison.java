package io.medpipe.champion;

import java.time.OffsetDateTime;
import java.util.Map;
import java.util.UUID;

/**
 * One stored comparison of a challenger with the champion (medpipe.champion_comparison): aggregates only, never a
 * patient's row or pseudonym.
 *
 * @param runId                 the pipeline run (mlops-pipeline instance) the comparison belongs to, if known
 * @param processInstanceId     the Staging instance that made it
 * @param championVersionId     the version in production when the run started; null when there was none
 * @param rows                  the rows both models were scored on
 * @param rareCases             the labelled rare cases among them
 * @param recallDifferenceLower the 95% interval's lower bound of challenger minus champion recall; null unless compared
 * @param auprcDifferenceLower  the same for AUPRC
 * @param body                  the whole comparison as the API shows it
 */
public record ChampionComparison(UUID id, OffsetDateTime createdAt, String runId, String processInstanceId,
                                 UUID challengerVersionId, UUID championVersionId, Status status, int rows,
                                 int rareCases, Double recallDifferenceLower, Double auprcDifferenceLower,
                                 Map<String, Object> body) {

  /** What the comparison could do; the DMN table decides what each means for the run. */
  public enum Status {
    /** Both models scored, intervals computed. */
    COMPARED("compared"),
    /** No version was in production when the run started (a first version). */
    NO_CHAMPION("no-champion"),
    /** Fewer labelled rare cases than {@link ChampionProperties#minRareCases()} to compare on. */
    TOO_FEW_RARE_CASES("too-few-rare-cases"),
    /** The champion cannot score the challenger's rows (a feature or the target class it does not know). */
    NOT_COMPARABLE("not-comparable");

    private final String id;

    Status(String id) {
      this.id = id;
    }

    /** The name in the database, the process variable and the DMN table. */
    public String id() {
      return id;
    }

    static Status of(String id) {
      for (Status s : values()) {
        if (s.id.equals(id)) {
          return s;
        }
      }
      throw new IllegalArgumentException("unknown comparison status " + id);
    }
  }
}
