package io.medpipe.serving.security;

import io.medpipe.pipeline.ProcessConstants;
import java.util.List;
import java.util.Optional;
import org.camunda.bpm.engine.authorization.Groups;
import org.springframework.http.HttpMethod;
import org.springframework.http.server.PathContainer;
import org.springframework.web.util.pattern.PathPattern;
import org.springframework.web.util.pattern.PathPatternParser;

/**
 * The access table of medpipe's API ({@code /api/**}), who may call which path: the one table the security filter
 * chain, the OpenAPI document and the tests read. Patterns are Spring MVC's own path patterns, matched against the
 * decoded path without matrix parameters, exactly as the dispatcher routes. Whatever the table does not name is denied.
 */
final class ApiRoutes {

  private ApiRoutes() {}

  /** What a caller must present. */
  enum Access {
    /** No API key: the path checks a credential of its own (the retrain webhook's bearer token). */
    PUBLIC("none (own bearer token)"),
    PREDICT("API key, role predict or admin"),
    FEEDBACK("API key, role feedback or admin"),
    ADMIN("API key, role admin"),
    /** Reviewers' evidence: an admin key, or a Cockpit/Tasklist session of a medpipe group (GET only). */
    REVIEW("API key with role admin, or a Camunda web app session of a medpipe group (read only)"),
    /**
     * Running production (the kill switch): an admin key, or an engine user of the groups that run production
     * (operators, devops) logged in with HTTP Basic as on the engine REST API; their web app session reads only.
     */
    OPERATE("API key with role admin, or an engine login (HTTP Basic) of operators or devops; their web app session"
        + " reads only");

    final String description;

    Access(String description) {
      this.description = description;
    }
  }

  /** One row: the method (null for any) and path pattern, and what it needs. */
  record Route(HttpMethod method, String pattern, Access access) {

    PathPattern parsed() {
      return PathPatternParser.defaultInstance.parse(pattern);
    }
  }

  /** Groups whose web app session may read reviewers' evidence: every medpipe group but the workers', and admins. */
  static final List<String> REVIEW_GROUPS = List.of(ProcessConstants.GROUP_MEDICAL_REVIEWERS,
      ProcessConstants.GROUP_DEVOPS, ProcessConstants.GROUP_OPERATORS, ProcessConstants.GROUP_DATA_SCIENTISTS,
      Groups.CAMUNDA_ADMIN);

  /** Groups that run production: they may stop and resume the production model's automated answers. */
  static final List<String> OPERATE_GROUPS = List.of(ProcessConstants.GROUP_OPERATORS, ProcessConstants.GROUP_DEVOPS);

  static final List<Route> ROUTES = List.of(
      new Route(HttpMethod.POST, "/api/v1/webhooks/retrain", Access.PUBLIC),
      new Route(null, "/api/v1/predict", Access.PREDICT),
      new Route(null, "/api/v1/predict/batch", Access.PREDICT),
      new Route(null, "/api/v1/staging/predict", Access.PREDICT),
      new Route(null, "/api/v1/staging/predict/batch", Access.PREDICT),
      new Route(null, "/api/v1/model", Access.PREDICT),
      new Route(null, "/api/v1/staging/model", Access.PREDICT),
      new Route(null, "/api/v1/feedback", Access.FEEDBACK),
      new Route(null, "/api/v1/predictions", Access.ADMIN),
      new Route(null, "/api/v1/predictions/**", Access.ADMIN),
      // the kill switch: before the admin rows, which it narrows for no one but widens to who runs production
      new Route(HttpMethod.GET, "/api/v1/admin/kill-switch", Access.OPERATE),
      new Route(HttpMethod.POST, "/api/v1/admin/kill-switch", Access.OPERATE),
      new Route(null, "/api/v1/admin/**", Access.ADMIN),
      new Route(null, "/api/v1/reports/**", Access.REVIEW),
      new Route(null, "/api/v1/models/**", Access.REVIEW),
      new Route(null, "/api/v1/evidence/**", Access.REVIEW),
      // the drift monitor: runs are started with the admin key (operators start the monitoring process in
      // Tasklist or with 'medpipe monitor'); their records and reports are read like the other reports
      new Route(HttpMethod.POST, "/api/v1/monitoring/runs", Access.ADMIN),
      new Route(HttpMethod.GET, "/api/v1/monitoring/runs", Access.REVIEW),
      new Route(HttpMethod.GET, "/api/v1/monitoring/runs/**", Access.REVIEW));

  /** The access a concrete path needs, as the filter chain decides it (first matching row); empty: denied. */
  static Optional<Access> accessFor(HttpMethod method, String decodedPath) {
    PathContainer path = PathContainer.parsePath(decodedPath);
    for (Route r : ROUTES) {
      if ((r.method() == null || r.method().equals(method)) && r.parsed().matches(path)) {
        return Optional.of(r.access());
      }
    }
    return Optional.empty();
  }
}
