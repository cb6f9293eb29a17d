package io.medpipe.dataset;

import com.fasterxml.jackson.databind.JsonNode;
import io.medpipe.system.ApiProblems.NotFoundException;
import java.util.UUID;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/**
 * Serves the pipeline's reports (aggregates only, no row-level data) to reviewers, linked from the task forms.
 * Callers need an admin API key or a Camunda web app login of a medpipe group (io.medpipe.serving.security.ApiRoutes).
 */
@RestController
class ReportController {

  private final ReportStore reports;

  ReportController(ReportStore reports) {
    this.reports = reports;
  }

  /** The report rendered for people (EDA: tables and inline SVG charts). */
  @GetMapping(value = "/api/v1/reports/{id}.html", produces = "text/html;charset=UTF-8")
  String html(@PathVariable UUID id) {
    String html = reports.html(id);
    if (html == null) {
      throw new NotFoundException("no HTML rendering of report " + id);
    }
    return html;
  }

  @GetMapping("/api/v1/reports/{id}")
  JsonNode report(@PathVariable UUID id) {
    JsonNode report = reports.find(id);
    if (report == null) {
      throw new NotFoundException("no report " + id);
    }
    return report;
  }
}
