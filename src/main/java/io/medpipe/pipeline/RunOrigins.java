package io.medpipe.pipeline;

import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.stereotype.Component;

/** Reads the recorded origins of pipeline runs ({@code medpipe.run_origin}, written once by {@link RecordRunOrigin}). */
@Component
public class RunOrigins {

  private static final RowMapper<RunOrigin> ROW = (rs, i) -> new RunOrigin(rs.getString("run_id"),
      rs.getString("business_key"), rs.getString("trigger"), rs.getString("started_by"), rs.getString("alert_group"),
      rs.getString("alert_names"), rs.getObject("alert_started_at", java.time.OffsetDateTime.class),
      rs.getObject("monitor_run_id", UUID.class), rs.getObject("drift_report_id", UUID.class),
      rs.getObject("champion_version_id", UUID.class), rs.getString("action"),
      rs.getObject("recorded_at", java.time.OffsetDateTime.class));

  private final JdbcTemplate jdbc;

  public RunOrigins(JdbcTemplate jdbc) {
    this.jdbc = jdbc;
  }

  /** The origin of a run (the mlops-pipeline instance), if recorded. */
  public Optional<RunOrigin> find(String runId) {
    return jdbc.query("SELECT * FROM medpipe.run_origin WHERE run_id = ?", ROW, runId).stream().findFirst();
  }

  /** The origin of the run a process instance belongs to (a stage's instance, or the run itself). */
  public Optional<RunOrigin> ofInstance(String processInstanceId) {
    return jdbc.query("""
        SELECT o.* FROM medpipe.run_origin o
        JOIN act_hi_procinst p ON o.run_id = coalesce(p.root_proc_inst_id_, p.id_)
        WHERE p.id_ = ?""", ROW, processInstanceId).stream().findFirst();
  }
}
