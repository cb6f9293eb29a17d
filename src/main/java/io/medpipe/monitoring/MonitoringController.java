package io.medpipe.monitoring;

import static io.medpipe.pipeline.ProcessConstants.*;

import io.medpipe.system.ApiProblems.NotFoundException;
import java.net.URI;
import java.security.Principal;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.camunda.bpm.engine.RuntimeService;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The monitor on demand: {@code POST /api/v1/monitoring/runs} (admin key) checks the request, records the run and
 * starts the monitoring process, so the run is visible in Cockpit like a scheduled one and a failure becomes an
 * incident; {@code GET /api/v1/monitoring/runs/{id}} (and {@code .html}, the drift report) follows it. On a node
 * without the engine the run is done within the request. Access: io.medpipe.serving.security.ApiRoutes.
 */
@RestController
class MonitoringController {

  private final MonitorService monitor;
  private final MonitorRuns runs;
  private final ObjectProvider<RuntimeService> engine;
  private final io.medpipe.dataset.ReportStore reports;

  MonitoringController(MonitorService monitor, MonitorRuns runs, ObjectProvider<RuntimeService> engine,
                       io.medpipe.dataset.ReportStore reports) {
    this.monitor = monitor;
    this.runs = runs;
    this.engine = engine;
    this.reports = reports;
  }

  /**
   * What to monitor; every field optional (production version, configured window).
   *
   * @param modelVersionId the version whose production predictions are checked
   * @param last           the last N predictions (not with from/to)
   * @param from           window start, inclusive (with to)
   * @param to             window end, exclusive
   */
  record RunRequest(UUID modelVersionId, Integer last, Instant from, Instant to) {}

  @PostMapping(path = "/api/v1/monitoring/runs", consumes = MediaType.APPLICATION_JSON_VALUE)
  ResponseEntity<MonitorRuns.Run> start(@RequestBody(required = false) RunRequest body, Principal caller) {
    RunRequest r = body == null ? new RunRequest(null, null, null, null) : body;
    UUID id = UUID.randomUUID();
    String client = caller == null ? null : caller.getName();
    MonitorService.Request request = new MonitorService.Request(id, r.modelVersionId(), r.last(), r.from(), r.to(),
        "api", client, null);
    monitor.validate(request); // 400 / 404 naming the field before anything is recorded or started
    RuntimeService runtime = engine.getIfAvailable();
    if (runtime == null) {
      monitor.run(request);
      MonitorRuns.Run done = runs.find(id).orElseThrow();
      return ResponseEntity.created(URI.create("/api/v1/monitoring/runs/" + id)).body(done);
    }
    runs.start(id, "api", client, r.last(), r.from(), r.to(), null);
    Map<String, Object> variables = new HashMap<>();
    variables.put(VAR_MONITOR_RUN_ID, id.toString());
    variables.put(VAR_TRIGGER, "api");
    if (client != null) {
      variables.put(VAR_REQUESTED_BY, client);
    }
    if (r.modelVersionId() != null) {
      variables.put(VAR_MODEL_VERSION_ID, r.modelVersionId().toString());
    }
    if (r.last() != null) {
      variables.put(VAR_WINDOW_LAST, r.last());
    }
    if (r.from() != null) {
      variables.put(VAR_WINDOW_FROM, r.from().toString());
      variables.put(VAR_WINDOW_TO, r.to().toString());
    }
    String instance = runtime.createMessageCorrelation(MESSAGE_MONITOR_RUN_REQUESTED)
        .processInstanceBusinessKey("monitor-" + id).setVariables(variables).correlateStartMessage().getId();
    runs.attachProcess(id, instance);
    return ResponseEntity.status(HttpStatus.ACCEPTED).location(URI.create("/api/v1/monitoring/runs/" + id))
        .body(runs.find(id).orElseThrow());
  }

  @GetMapping("/api/v1/monitoring/runs")
  List<MonitorRuns.Run> latest(@RequestParam(defaultValue = "20") int limit) {
    return runs.latest(Math.max(1, Math.min(limit, 200)));
  }

  @GetMapping("/api/v1/monitoring/runs/{id}")
  MonitorRuns.Run run(@PathVariable UUID id) {
    return runs.find(id).orElseThrow(() -> new NotFoundException("id: no monitor run " + id));
  }

  /** The run's drift report, rendered for people. */
  @GetMapping(value = "/api/v1/monitoring/runs/{id}.html", produces = "text/html;charset=UTF-8")
  String html(@PathVariable UUID id) {
    MonitorRuns.Run run = run(id);
    if (run.reportId() == null) {
      throw new NotFoundException("monitor run " + id + " has no drift report (" + run.status()
          + (run.outcome() == null ? "" : ", " + run.outcome()) + ")");
    }
    String html = reports.html(run.reportId());
    if (html == null) {
      throw new NotFoundException("no HTML rendering of report " + run.reportId());
    }
    return html;
  }
}
