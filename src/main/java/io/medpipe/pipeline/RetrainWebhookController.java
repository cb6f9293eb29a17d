package io.medpipe.pipeline;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.medpipe.privacy.IdentifierShapes;
import io.medpipe.system.EngineRole;
import io.medpipe.system.InvalidRequestException;
import io.medpipe.system.InvalidRequestException.FieldProblem;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

/**
 * Receives Prometheus Alertmanager's webhook and asks the pipeline to retrain. One alert group (Alertmanager's
 * {@code groupKey}) never has two runs at once: repeated notifications while its run is active are acknowledged
 * without starting another ({@code already-running}); and after an alert started a run for the version in production,
 * no alert of any group starts another for that version until its cool-down ends ({@code cooling-down},
 * {@code medpipe.webhook.cool-down}). Both answers name the run that made the request unnecessary.
 */
@EngineRole
@RestController
class RetrainWebhookController {

  private final RetrainTrigger trigger;
  private final byte[] token;

  RetrainWebhookController(RetrainTrigger trigger, WebhookProperties webhook) {
    this.trigger = trigger;
    this.token = webhook.token().getBytes(StandardCharsets.UTF_8);
  }

  /** The part of Alertmanager's webhook payload (version 4) that medpipe reads. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  record AlertmanagerPayload(String version, String groupKey, String status, String receiver,
                             Map<String, String> groupLabels, List<Alert> alerts) {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  record Alert(String status, Map<String, String> labels, Map<String, String> annotations, String startsAt) {

    Alert(String status, Map<String, String> labels, Map<String, String> annotations) {
      this(status, labels, annotations, null);
    }
  }

  @PostMapping(path = "/api/v1/webhooks/retrain", consumes = MediaType.APPLICATION_JSON_VALUE)
  ResponseEntity<?> retrain(@RequestHeader(name = "Authorization", required = false) String authorization,
                            @RequestBody AlertmanagerPayload payload) {
    if (!authorized(authorization)) {
      ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.UNAUTHORIZED,
          "a valid bearer token is required (medpipe.webhook.token)");
      problem.setTitle("Unauthorized");
      return ResponseEntity.status(HttpStatus.UNAUTHORIZED)
          .header("WWW-Authenticate", "Bearer realm=\"medpipe\"")
          .contentType(MediaType.APPLICATION_PROBLEM_JSON).body(problem);
    }
    validate(payload);
    if ("resolved".equals(payload.status())) {
      return ResponseEntity.ok(Map.of("status", "ignored", "reason", "alert group is resolved"));
    }
    List<String> alertNames = alertNames(payload);
    OffsetDateTime startedAt = startedAt(payload);
    String action = action(payload);
    // the group key and the other labels are free text from whoever configures alerting: only their hash (the
    // business key), the shape-checked alert names and the action (one of two words) are stored in the run
    String key = businessKey(payload.groupKey());
    RetrainTrigger.Result result = trigger.requestRetrain(key, key, alertNames, startedAt, action);
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("status", switch (result.outcome()) {
      case STARTED -> "started";
      case ALREADY_RUNNING -> "already-running";
      case COOLING_DOWN -> "cooling-down";
    });
    body.put("processInstanceId", result.processInstanceId());
    body.put("businessKey", result.businessKey());
    // until when alerts for this champion start no run (null: no champion, or the cool-down is off)
    body.put("coolDownUntil", result.coolDownUntil() == null ? null : result.coolDownUntil().toInstant().toString());
    // why the run started, as recorded (for a repeated notification: the active run's own reason)
    result.origin().ifPresent(origin -> body.put("origin", origin.asMap()));
    return result.started()
        ? ResponseEntity.accepted().location(URI.create("/engine-rest/process-instance/" + result.processInstanceId()))
            .body(body)
        : ResponseEntity.ok(body);
  }

  private boolean authorized(String header) {
    if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return false;
    }
    byte[] presented = header.substring(7).trim().getBytes(StandardCharsets.UTF_8);
    return MessageDigest.isEqual(presented, token);
  }

  private static void validate(AlertmanagerPayload p) {
    List<FieldProblem> problems = new ArrayList<>();
    if (p.groupKey() == null || p.groupKey().isBlank()) {
      problems.add(new FieldProblem("groupKey", "is required"));
    }
    if (p.status() == null || !(p.status().equals("firing") || p.status().equals("resolved"))) {
      problems.add(new FieldProblem("status", "must be 'firing' or 'resolved'"));
    }
    if (p.alerts() == null || p.alerts().isEmpty()) {
      problems.add(new FieldProblem("alerts", "must list at least one alert"));
    }
    if (!problems.isEmpty()) {
      throw new InvalidRequestException(problems);
    }
  }

  /**
   * The alert names of the payload, the only labels medpipe keeps: each must look like an alerting rule's name
   * (a letter, then letters, digits or underscores; at most 64) and not like a personal identifier, else HTTP 400
   * naming the field (never the value).
   */
  static List<String> alertNames(AlertmanagerPayload payload) {
    List<String> names = new ArrayList<>();
    List<FieldProblem> problems = new ArrayList<>();
    for (int i = 0; i < payload.alerts().size(); i++) {
      Alert alert = payload.alerts().get(i);
      String name = alert == null || alert.labels() == null ? null : alert.labels().get("alertname");
      if (name == null) {
        continue;
      }
      String field = "alerts[" + i + "].labels.alertname";
      if (!ALERT_NAME.matcher(name).matches()) {
        problems.add(new FieldProblem(field, "must be an alerting rule's name: a letter, then letters, digits or"
            + " underscores, at most 64 characters"));
      } else if (IdentifierShapes.kind(name).isPresent()) {
        problems.add(new FieldProblem(field, "looks like a personal identifier (" + IdentifierShapes.kind(name).get()
            + ")"));
      } else if (!names.contains(name)) {
        names.add(name);
      }
    }
    if (!problems.isEmpty()) {
      throw new InvalidRequestException(problems);
    }
    return names;
  }

  /**
   * What the alerts ask for, from their {@code action} labels (ops/prometheus/alerts.yml): recalibrate only when every
   * alert that names an action says recalibrate, else retrain (the full run, which also covers a recalibration; and
   * what an alert without the label has always meant). A label with another value is HTTP 400 naming the field.
   */
  static String action(AlertmanagerPayload payload) {
    boolean recalibrate = false;
    boolean retrain = false;
    List<FieldProblem> problems = new ArrayList<>();
    for (int i = 0; i < payload.alerts().size(); i++) {
      Alert alert = payload.alerts().get(i);
      String action = alert == null || alert.labels() == null ? null : alert.labels().get("action");
      if (action == null) {
        continue;
      }
      switch (action) {
        case ProcessConstants.RUN_ACTION_RETRAIN -> retrain = true;
        case ProcessConstants.RUN_ACTION_RECALIBRATE -> recalibrate = true;
        default -> problems.add(new FieldProblem("alerts[" + i + "].labels.action",
            "must be 'retrain' or 'recalibrate' (or absent: retrain)"));
      }
    }
    if (!problems.isEmpty()) {
      throw new InvalidRequestException(problems);
    }
    return recalibrate && !retrain ? ProcessConstants.RUN_ACTION_RECALIBRATE : ProcessConstants.RUN_ACTION_RETRAIN;
  }

  /**
   * When the first alert started (its {@code startsAt}, RFC 3339 as Alertmanager sends it), or null when the payload
   * does not say; anything else, or a time more than a day ahead, is HTTP 400 naming the field.
   */
  static OffsetDateTime startedAt(AlertmanagerPayload payload) {
    Alert first = payload.alerts().get(0);
    String value = first == null ? null : first.startsAt();
    if (value == null || value.isBlank()) {
      return null;
    }
    String field = "alerts[0].startsAt";
    OffsetDateTime at;
    try {
      at = OffsetDateTime.parse(value.length() > 40 ? "" : value);
    } catch (DateTimeParseException e) {
      throw new InvalidRequestException(List.of(new FieldProblem(field,
          "must be an RFC 3339 time with its offset, e.g. 2026-12-03T10:15:30.123Z")));
    }
    if (at.isAfter(OffsetDateTime.now().plusDays(1)) || at.getYear() < 2000) {
      throw new InvalidRequestException(List.of(new FieldProblem(field, "is not a plausible alert start")));
    }
    return at;
  }

  private static final java.util.regex.Pattern ALERT_NAME = java.util.regex.Pattern
      .compile("[A-Za-z][A-Za-z0-9_]{0,63}");

  /** A stable, short business key per alert group (the group key itself may be long and full of quotes). */
  static String businessKey(String groupKey) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(groupKey.getBytes(StandardCharsets.UTF_8));
      return "alert-" + HexFormat.of().formatHex(digest, 0, 8);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
