package io.medpipe.serving;

import io.medpipe.privacy.IdentifierShapes;
import io.medpipe.system.InvalidRequestException;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The production kill switch: while it is stopped the production model gives no automated answer (the prediction API
 * says the case needs a clinician); every stop and resume is a row of the append-only {@code medpipe.kill_switch_event}
 * (who, through which credential, when, why), and the switch's state is the last row's.
 *
 * <p>Every node serving the API reads the state from the database, at most once per
 * {@code medpipe.serving.slot-poll-interval} (default 2 s, as it learns of a deployment), so a prediction costs no
 * query; the node where the switch is flipped knows at once. The meter {@code medpipe_kill_switch_stopped} (1 stopped)
 * shows the same cached state.
 */
@Component
@ConditionalOnProperty(name = "medpipe.serving.enabled", havingValue = "true", matchIfMissing = true)
public class KillSwitch {

  /** One stop or resume, as recorded. */
  public record Event(long id, Instant at, String action, String actor, String via, String reason) {}

  /** The switch now: stopped or serving, and the event that put it there (empty: never used). */
  public record State(boolean stopped, Optional<Event> last) {}

  /** Thrown where an automated answer is asked for while the switch is stopped. */
  public static final class StoppedException extends RuntimeException {

    private final transient Event stop;

    StoppedException(Event stop) {
      super("the production model's automated answers are stopped");
      this.stop = stop;
    }

    public Event stop() {
      return stop;
    }
  }

  /** The switch was already in the asked-for state: nothing recorded. */
  public static final class UnchangedException extends RuntimeException {

    UnchangedException(String message) {
      super(message);
    }
  }

  static final String STOP = "stop";
  static final String RESUME = "resume";

  private static final RowMapper<Event> ROW = (rs, i) -> new Event(rs.getLong("id"),
      rs.getTimestamp("at").toInstant(), rs.getString("action"), rs.getString("actor"), rs.getString("via"),
      rs.getString("reason"));

  private final JdbcTemplate jdbc;
  private final TransactionTemplate tx;
  private final Duration refresh;
  private final Clock clock = Clock.systemUTC();
  private volatile State cached;
  private volatile Instant readAt = Instant.MIN;

  KillSwitch(JdbcTemplate jdbc, TransactionTemplate tx, ServingProperties serving, MeterRegistry meters) {
    this.jdbc = jdbc;
    this.tx = tx;
    this.refresh = serving.slotPollInterval();
    Gauge.builder("medpipe.kill.switch.stopped", this, s -> s.state().stopped() ? 1 : 0)
        .description("1 while the production model's automated answers are stopped by the kill switch, else 0")
        .register(meters);
  }

  /** The state, read from the database when the cached one is older than the refresh interval. */
  public State state() {
    State state = cached;
    if (state == null || Duration.between(readAt, clock.instant()).compareTo(refresh) >= 0) {
      state = read();
    }
    return state;
  }

  /** Returns if the production model may answer; throws {@link StoppedException} while the switch is stopped. */
  public void requireServing() {
    State state = state();
    if (state.stopped()) {
      throw new StoppedException(state.last().orElseThrow());
    }
  }

  /** Stops (or resumes) the production model's automated answers, recorded with who, how and why. */
  public Event set(boolean stop, String actor, String via, String reason) {
    String action = stop ? STOP : RESUME;
    Event event = tx.execute(status -> {
      // one change at a time across nodes: two operators pressing together record one stop
      jdbc.queryForList("SELECT pg_advisory_xact_lock(hashtext('medpipe.kill_switch'))");
      Optional<Event> last = last();
      boolean stopped = last.map(e -> STOP.equals(e.action())).orElse(false);
      if (stopped == stop) {
        throw new UnchangedException(stop
            ? "the production model is already stopped (since " + last.get().at() + ", by " + last.get().actor() + ")"
            : "the production model is not stopped: there is nothing to resume");
      }
      Long id = jdbc.queryForObject("INSERT INTO medpipe.kill_switch_event (action, actor, via, reason)"
          + " VALUES (?, ?, ?, ?) RETURNING id", Long.class, action, actor, via, reason.strip());
      return jdbc.query("SELECT * FROM medpipe.kill_switch_event WHERE id = ?", ROW, id).get(0);
    });
    read();
    return event;
  }

  /** The recorded stops and resumes, newest first. */
  public List<Event> history(int limit) {
    return jdbc.query("SELECT * FROM medpipe.kill_switch_event ORDER BY id DESC LIMIT ?", ROW, limit);
  }

  /**
   * Checks a change's reason: 5-500 characters that say why without quoting an identifier (the audit is read by
   * everyone who runs production); else 400 naming {@code reason}, never echoing it.
   */
  static void checkReason(String reason) {
    if (reason == null || reason.strip().length() < 5 || reason.length() > 500) {
      throw new InvalidRequestException("reason", "is required: why the automated answers are stopped or resumed"
          + " (5-500 characters)");
    }
    Optional<String> kind = IdentifierShapes.kind(reason);
    if (kind.isPresent()) {
      throw new InvalidRequestException("reason", "holds what looks like an identifier (" + kind.get()
          + "); say why without quoting it");
    }
  }

  private Optional<Event> last() {
    return jdbc.query("SELECT * FROM medpipe.kill_switch_event ORDER BY id DESC LIMIT 1", ROW).stream().findFirst();
  }

  private State read() {
    Optional<Event> last = last();
    State state = new State(last.map(e -> STOP.equals(e.action())).orElse(false), last);
    cached = state;
    readAt = clock.instant();
    return state;
  }
}
