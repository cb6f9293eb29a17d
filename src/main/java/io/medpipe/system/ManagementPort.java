package io.medpipe.system;

import org.springframework.boot.web.context.WebServerInitializedEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.security.web.util.matcher.RequestMatcher;
import org.springframework.stereotype.Component;

/**
 * The port of the separate management server (actuator: metrics, Prometheus, health), once it has started; -1 while
 * the actuator shares the main port. Requests that arrived on it are the only ones that may read the actuator beyond
 * the health probes.
 */
@Component
class ManagementPort implements ApplicationListener<WebServerInitializedEvent> {

  private volatile int port = -1;

  @Override
  public void onApplicationEvent(WebServerInitializedEvent event) {
    if ("management".equals(event.getApplicationContext().getServerNamespace())) {
      port = event.getWebServer().getPort();
    }
  }

  int port() {
    return port;
  }

  /** Matches requests received by the management server; none while there is no separate one. */
  RequestMatcher matcher() {
    return request -> port > 0 && request.getLocalPort() == port;
  }
}
