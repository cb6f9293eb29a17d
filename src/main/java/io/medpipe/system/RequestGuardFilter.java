package io.medpipe.system;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.RequestPath;
import org.springframework.security.web.firewall.RequestRejectedException;
import org.springframework.security.web.firewall.StrictHttpFirewall;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.util.ServletRequestPathUtils;

/**
 * The first filter every request meets. It refuses, with 400 problem+json, a URL that is not in normal form: the
 * checks of Spring Security's {@link StrictHttpFirewall} (matrix parameters, encoded slashes or dots, double slashes,
 * dot segments, control characters), a percent-encoded letter, digit or {@code -_~} in the path (RFC 3986 says to
 * decode them; no client needs to encode them, and {@code /%65ngine-rest/x} is routed to Camunda's REST servlet at
 * {@code /engine-rest} while not starting with it), and a raw path that does not begin with the servlet path Tomcat
 * decoded from it.
 *
 * <p>Why here and not only in Spring Security: the security filter chain first parses the request path
 * ({@code ServletRequestPathFilter}), and for a servlet mapped to a path prefix — Camunda's REST API and web app API —
 * that parse throws on such a URL before the firewall runs; the exception then reached Tomcat, which answered 500 and
 * logged a stack trace quoting the raw path (possibly a patient identifier an outsider put there, which the PHI leak
 * scan then finds in the log).
 *
 * <p>It is also the last resort for any exception no other layer handled: the answer is a 500 problem+json and the log
 * names only the exception's class and the frame it was thrown from, never its message (messages quote paths, headers
 * and values). A client that went away is not logged at all.
 */
final class RequestGuardFilter extends OncePerRequestFilter {

  private static final Logger log = LoggerFactory.getLogger(RequestGuardFilter.class);

  /** The answer to a URL that is not in normal form, here and from Spring Security's own firewall. */
  static final String NOT_NORMALISED = "the request's URL or headers are not in a form medpipe accepts (no matrix "
      + "parameters, encoded slashes, dots, letters or digits, double slashes, dot segments or control characters)";

  /** The same checks Spring Security's filter chain applies, with its defaults. */
  private final StrictHttpFirewall firewall = new StrictHttpFirewall();
  /** A percent-encoded unreserved character (RFC 3986 2.3): ALPHA, DIGIT, '-', '_', '~' ('.' is the firewall's). */
  private static final Pattern ENCODED_UNRESERVED = Pattern
      .compile("%(?:[46][1-9a-fA-F]|[57][0-9aA]|3[0-9]|2[dD]|5[fF]|7[eE])");

  @Override
  protected boolean shouldNotFilterAsyncDispatch() {
    return false;
  }

  @Override
  protected boolean shouldNotFilterErrorDispatch() {
    return false;
  }

  @Override
  protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    if (request.getDispatcherType() == DispatcherType.REQUEST && !normalised(request)) {
      Problems.write(response, HttpStatus.BAD_REQUEST, NOT_NORMALISED);
      return;
    }
    try {
      chain.doFilter(request, response);
    } catch (IOException | ServletException | RuntimeException e) {
      if (clientWentAway(e)) {
        return;
      }
      StackTraceElement[] trace = e.getStackTrace();
      log.error("Unexpected failure answering a request: {} at {}", e.getClass().getName(),
          trace.length > 0 ? trace[0] : "?");
      if (!response.isCommitted()) {
        response.reset();
        Problems.write(response, HttpStatus.INTERNAL_SERVER_ERROR,
            "the request could not be answered; it has been logged");
      }
    }
  }

  private boolean normalised(HttpServletRequest request) {
    try {
      firewall.getFirewalledRequest(request);
    } catch (RequestRejectedException rejected) {
      return false;
    }
    if (ENCODED_UNRESERVED.matcher(request.getRequestURI()).find()) {
      return false;
    }
    Object previous = request.getAttribute(ServletRequestPathUtils.PATH_ATTRIBUTE);
    try {
      // the parse Spring's own filters run: it requires the raw path to start with the decoded servlet path
      ServletRequestPathUtils.parseAndCache(request);
      return true;
    } catch (IllegalArgumentException mismatch) {
      return false;
    } finally {
      if (previous instanceof RequestPath) {
        request.setAttribute(ServletRequestPathUtils.PATH_ATTRIBUTE, previous);
      } else {
        request.removeAttribute(ServletRequestPathUtils.PATH_ATTRIBUTE);
      }
    }
  }

  /** Tomcat's ClientAbortException (an IOException): the client closed the connection; nothing to answer or log. */
  private static boolean clientWentAway(Exception e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t.getClass().getSimpleName().equals("ClientAbortException")) {
        return true;
      }
    }
    return false;
  }
}
