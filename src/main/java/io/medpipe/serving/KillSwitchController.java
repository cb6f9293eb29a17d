package io.medpipe.serving;

import io.medpipe.system.InvalidRequestException;
import java.net.URI;
import java.security.Principal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/**
 * The production kill switch's API: {@code GET /api/v1/admin/kill-switch} shows the state and every stop and resume,
 * {@code POST} with {@code {"action": "stop" | "resume", "reason": "..."}} flips it in one audited action. Who may:
 * {@code io.medpipe.serving.security.ApiRoutes} (the admin key, and engine logins of operators and devops).
 */
@RestController
@ConditionalOnProperty(name = "medpipe.serving.enabled", havingValue = "true", matchIfMissing = true)
class KillSwitchController {

  /** The problem type of a prediction refused because the kill switch is stopped. */
  static final URI STOPPED_TYPE = URI.create("https://medpipe.io/problems/kill-switch-stopped");
  static final int HISTORY = 100;

  /** A change of the switch. */
  record Change(String action, String reason) {}

  private final KillSwitch killSwitch;

  KillSwitchController(KillSwitch killSwitch) {
    this.killSwitch = killSwitch;
  }

  @GetMapping("/api/v1/admin/kill-switch")
  Map<String, Object> state() {
    return body(killSwitch.state(), killSwitch.history(HISTORY));
  }

  @PostMapping(path = "/api/v1/admin/kill-switch", consumes = MediaType.APPLICATION_JSON_VALUE)
  Map<String, Object> change(@RequestBody Change change, Authentication caller) {
    if (change == null || !(KillSwitch.STOP.equals(change.action()) || KillSwitch.RESUME.equals(change.action()))) {
      throw new InvalidRequestException("action", "must be 'stop' or 'resume'");
    }
    KillSwitch.checkReason(change.reason());
    killSwitch.set(KillSwitch.STOP.equals(change.action()), caller.getName(), via(caller), change.reason());
    return body(killSwitch.state(), killSwitch.history(HISTORY));
  }

  /** How the caller authenticated, in the audit's words: an API key, or an engine user's login. */
  private static String via(Principal caller) {
    return caller.getClass().getSimpleName().startsWith("ApiKey") ? "api-key" : "engine-login";
  }

  private static Map<String, Object> body(KillSwitch.State state, List<KillSwitch.Event> events) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("state", state.stopped() ? "stopped" : "serving");
    body.put("since", state.last().map(e -> e.at().toString()).orElse(null));
    body.put("events", events);
    return body;
  }

  /** The kill switch's refusals as problem+json, before the API's catch-all handler. */
  @RestControllerAdvice
  @Order(Ordered.HIGHEST_PRECEDENCE)
  static class Problems {

    @ExceptionHandler(KillSwitch.StoppedException.class)
    ResponseEntity<ProblemDetail> stopped(KillSwitch.StoppedException e) {
      ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.SERVICE_UNAVAILABLE,
          "No automated decision is available: the production model's automated answers were stopped at "
              + e.stop().at() + " (kill switch). This case needs a clinician's assessment.");
      problem.setType(STOPPED_TYPE);
      problem.setTitle("Automated answers stopped (kill switch)");
      problem.setProperty("killSwitch", "stopped");
      problem.setProperty("stoppedAt", e.stop().at().toString());
      return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE).contentType(MediaType.APPLICATION_PROBLEM_JSON)
          .body(problem);
    }

    @ExceptionHandler(KillSwitch.UnchangedException.class)
    ResponseEntity<ProblemDetail> unchanged(KillSwitch.UnchangedException e) {
      ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.CONFLICT, e.getMessage());
      problem.setTitle("Conflict");
      return ResponseEntity.status(HttpStatus.CONFLICT).contentType(MediaType.APPLICATION_PROBLEM_JSON).body(problem);
    }
  }
}
