package io.medpipe.system;

import org.apache.catalina.Valve;
import org.apache.catalina.core.StandardHost;
import org.apache.catalina.valves.ErrorReportValve;
import org.springframework.boot.web.embedded.tomcat.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.core.Ordered;
import org.springframework.stereotype.Component;

/**
 * The Tomcat customisation that puts {@link ProblemReportValve} where Tomcat (and Spring Boot, which adds its own HTML
 * valve) would report errors in HTML. Runs after Spring Boot's Tomcat customizer, so its valve is replaced rather than
 * kept beside this one.
 */
@Component
class TomcatProblemPages implements WebServerFactoryCustomizer<TomcatServletWebServerFactory>, Ordered {

  @Override
  public void customize(TomcatServletWebServerFactory factory) {
    factory.addContextCustomizers(context -> {
      if (context.getParent() instanceof StandardHost host) {
        // Tomcat adds a valve of this class at start unless one is there already
        host.setErrorReportValveClass(ProblemReportValve.class.getName());
      }
      for (Valve valve : context.getParent().getPipeline().getValves()) {
        if (valve instanceof ErrorReportValve) {
          context.getParent().getPipeline().removeValve(valve);
        }
      }
      context.getParent().getPipeline().addValve(new ProblemReportValve());
    });
  }

  @Override
  public int getOrder() { return Ordered.LOWEST_PRECEDENCE; }
}
