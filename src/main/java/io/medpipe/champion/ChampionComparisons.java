package io.medpipe.champion;

import com.fasterxml.jackson.core.type.TypeReference;
import io.medpipe.system.Json;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.stereotype.Repository;

/**
 * The stored champion comparisons (medpipe.champion_comparison, written once) and the DMN verdicts on them
 * (medpipe.champion_verdict, written once by {@link RecordChampionVerdict}).
 */
@Repository
public class ChampionComparisons {

  private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};

  private final JdbcTemplate jdbc;
  private final Json json;

  public ChampionComparisons(JdbcTemplate jdbc, Json json) {
    this.jdbc = jdbc;
    this.json = json;
  }

  /** The verdict of processes/champion-challenger.dmn on a comparison. */
  public record Verdict(boolean proceed, String reason, OffsetDateTime decidedAt) {}

  void insert(ChampionComparison c) {
    jdbc.update("""
        INSERT INTO medpipe.champion_comparison (id, run_id, process_instance_id, challenger_version_id,
          champion_version_id, status, rows_compared, rare_cases, recall_difference_lower, auprc_difference_lower, body)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb)""", c.id(), c.runId(), c.processInstanceId(),
        c.challengerVersionId(), c.championVersionId(), c.status().id(), c.rows(), c.rareCases(),
        c.recallDifferenceLower(), c.auprcDifferenceLower(), json.write(c.body()));
  }

  public Optional<ChampionComparison> find(UUID id) {
    return jdbc.query("SELECT * FROM medpipe.champion_comparison WHERE id = ?", row(), id).stream().findFirst();
  }

  /** The latest comparison of this version as a challenger, if it was compared. */
  public Optional<ChampionComparison> latestFor(UUID challengerVersionId) {
    return jdbc.query("SELECT * FROM medpipe.champion_comparison WHERE challenger_version_id = ?"
        + " ORDER BY created_at DESC LIMIT 1", row(), challengerVersionId).stream().findFirst();
  }

  /** The DMN's verdict on a comparison, once the run has decided. */
  public Optional<Verdict> verdict(UUID comparisonId) {
    return jdbc.query("SELECT proceed, reason, decided_at FROM medpipe.champion_verdict WHERE comparison_id = ?",
        (rs, i) -> new Verdict(rs.getBoolean(1), rs.getString(2), rs.getObject(3, OffsetDateTime.class)),
        comparisonId).stream().findFirst();
  }

  /** The comparison as the API and the forms show it: its body, the verdict and the record's ids. */
  public Map<String, Object> view(ChampionComparison c) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", c.id());
    m.put("createdAt", c.createdAt().toInstant().toString());
    m.put("runId", c.runId());
    m.putAll(c.body());
    m.put("verdict", verdict(c.id()).map(v -> {
      Map<String, Object> verdict = new LinkedHashMap<>();
      verdict.put("challengerToMedicalQa", v.proceed());
      verdict.put("reason", v.reason());
      verdict.put("decidedAt", v.decidedAt().toInstant().toString());
      verdict.put("decidedBy", "processes/champion-challenger.dmn");
      return verdict;
    }).orElse(null));
    return m;
  }

  private RowMapper<ChampionComparison> row() {
    return (rs, i) -> new ChampionComparison(rs.getObject("id", UUID.class),
        rs.getObject("created_at", OffsetDateTime.class), rs.getString("run_id"), rs.getString("process_instance_id"),
        rs.getObject("challenger_version_id", UUID.class), rs.getObject("champion_version_id", UUID.class),
        ChampionComparison.Status.of(rs.getString("status")), rs.getInt("rows_compared"), rs.getInt("rare_cases"),
        (Double) rs.getObject("recall_difference_lower"), (Double) rs.getObject("auprc_difference_lower"),
        json.read(rs.getString("body"), MAP));
  }
}
