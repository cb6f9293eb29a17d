package io.medpipe.system;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.Writer;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ErrorReportValve;
import org.springframework.http.HttpStatus;

/**
 * Tomcat's own error page as problem+json: what Tomcat refuses before any filter or controller sees it (an encoded
 * slash or backslash in the path, an invalid percent-encoding, a malformed request line) gets the same kind of answer
 * as the rest of medpipe's API, stating only the status. Installed in place of Tomcat's HTML error report valve.
 */
public class ProblemReportValve extends ErrorReportValve {

  private static final ObjectMapper JSON = new ObjectMapper();

  @Override
  protected void report(Request request, Response response, Throwable throwable) {
    int status = response.getStatus();
    if (status < 400 || response.getContentWritten() > 0 || !response.setErrorReported()) {
      return;
    }
    HttpStatus known = HttpStatus.resolve(status);
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("type", "about:blank");
    body.put("title", known == null ? "Error" : Problems.title(known));
    body.put("status", status);
    body.put("detail", status < 500 ? "the request cannot be answered as sent" : "the request could not be answered");
    try {
      try {
        response.setContentType("application/problem+json");
        response.setCharacterEncoding("utf-8");
      } catch (RuntimeException ignored) {
        // the response may already be half committed; write what can be written
      }
      Writer writer = response.getReporter();
      if (writer != null) {
        writer.write(JSON.writeValueAsString(body));
        response.finishResponse();
      }
    } catch (IOException | IllegalStateException ignored) {
      // the client went away or the response cannot take a body: nothing more to do
    }
  }
}
