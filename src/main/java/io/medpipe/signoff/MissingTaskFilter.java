package io.medpipe.signoff;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.camunda.bpm.engine.impl.interceptor.CommandContext;
import org.springframework.http.MediaType;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.util.ContentCachingResponseWrapper;

/**
 * Answers HTTP 404 where Camunda's REST API answers a task action on a task that does not exist with 500 (completing:
 * its task resource turns every engine exception but an authorization into a server error) or 400 (claiming: the
 * engine's "not found" is a kind of bad request). It covers the engine REST API and the web apps' own (Tasklist): the
 * request runs as usual, and only such an answer about a task that is not there is rewritten, so authentication and
 * authorization answers (401, 403) are untouched, whatever the order of the filters.
 */
class MissingTaskFilter extends OncePerRequestFilter {

  static final String[] URL_PATTERNS = {"/engine-rest/task/*", "/camunda/api/engine/engine/*"};
  private static final Pattern TASK_ACTION = Pattern.compile("^(?:/engine-rest|/camunda/api/engine/engine/[^/]+)"
      + "/task/([^/]+)/(claim|unclaim|complete|submit-form|resolve|assignee|delegate|bpmnError|bpmnEscalation)$");

  private final ProcessEngine engine;

  MissingTaskFilter(ProcessEngine engine) {
    this.engine = engine;
  }

  @Override
  protected boolean shouldNotFilter(HttpServletRequest request) {
    return !"POST".equals(request.getMethod())
        || !TASK_ACTION.matcher(request.getRequestURI().substring(request.getContextPath().length())).matches();
  }

  @Override
  protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    Matcher m = TASK_ACTION.matcher(request.getRequestURI().substring(request.getContextPath().length()));
    if (!m.matches()) {
      chain.doFilter(request, response);
      return;
    }
    String taskId = m.group(1);
    ContentCachingResponseWrapper wrapper = new ContentCachingResponseWrapper(response);
    chain.doFilter(request, wrapper);
    int status = wrapper.getStatus();
    if ((status == HttpServletResponse.SC_INTERNAL_SERVER_ERROR || status == HttpServletResponse.SC_BAD_REQUEST)
        && !exists(taskId)) {
      wrapper.resetBuffer();
      wrapper.setStatus(HttpServletResponse.SC_NOT_FOUND);
      wrapper.setContentType(MediaType.APPLICATION_JSON_VALUE);
      wrapper.setCharacterEncoding(StandardCharsets.UTF_8.name());
      // Camunda's own error shape, as its REST API answers GET /task/{id} for a missing task
      wrapper.getWriter().write("{\"type\":\"InvalidRequestException\",\"message\":\"No matching task with id "
          + taskId.replaceAll("[^A-Za-z0-9_-]", "?") + "\"}");
      wrapper.getWriter().flush();
    }
    wrapper.copyBodyToResponse();
  }

  private boolean exists(String taskId) {
    ProcessEngineConfigurationImpl configuration = (ProcessEngineConfigurationImpl) engine
        .getProcessEngineConfiguration();
    return configuration.getCommandExecutorTxRequired().execute(
        (CommandContext c) -> c.runWithoutAuthorization(() -> c.getTaskManager().findTaskById(taskId) != null));
  }
}
