package io.medpipe.system;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.time.Duration;
import org.springframework.http.HttpStatus;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * The filter that applies {@link LoginThrottle} to every login Camunda answers (its web apps' login form, HTTP Basic
 * on {@code /engine-rest}, the identity check resources): it tells the engine's password check which client address
 * the request comes from ({@link LoginAttempt}); the check itself ({@link ThrottledIdentityProvider}) decides, for the
 * user it is checking. A throttled check's answer is replaced by 429 problem+json with {@code Retry-After}.
 *
 * <p>Nothing is read from the request here: the user counted is the one Camunda decoded and checked, so neither a
 * percent-encoded form field name ({@code user%6eame=}) nor an oversized form changes who is counted.
 */
final class LoginThrottleFilter extends OncePerRequestFilter {

  @Override
  protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    LoginAttempt attempt = LoginAttempt.begin(request.getRemoteAddr());
    try {
      chain.doFilter(request, new UnlessThrottled(response, attempt));
    } finally {
      LoginAttempt.end();
    }
    Duration wait = attempt.throttled();
    if (wait != null && !response.isCommitted()) {
      long seconds = Math.max(1, (wait.toMillis() + 999) / 1000);
      response.reset();
      response.setHeader("Retry-After", String.valueOf(seconds));
      Problems.write(response, HttpStatus.TOO_MANY_REQUESTS, "too many failed logins; try again in " + seconds + " s");
    }
  }

  /**
   * The response as Camunda writes it, unless the login was throttled: from then on, Camunda's refusal (a 401 and its
   * challenge) goes nowhere, and the 429 is written in its place. The throttle decides before Camunda writes anything.
   */
  private static final class UnlessThrottled extends HttpServletResponseWrapper {
    private final LoginAttempt attempt;

    UnlessThrottled(HttpServletResponse response, LoginAttempt attempt) {
      super(response);
      this.attempt = attempt;
    }

    private boolean throttled() {
      return attempt.throttled() != null;
    }

    @Override
    public void setStatus(int sc) {
      if (!throttled()) {
        super.setStatus(sc);
      }
    }

    @Override
    public void sendError(int sc) throws IOException {
      if (!throttled()) {
        super.sendError(sc);
      }
    }

    @Override
    public void sendError(int sc, String msg) throws IOException {
      if (!throttled()) {
        super.sendError(sc, msg);
      }
    }

    @Override
    public void setHeader(String name, String value) {
      if (!throttled()) {
        super.setHeader(name, value);
      }
    }

    @Override
    public void addHeader(String name, String value) {
      if (!throttled()) {
        super.addHeader(name, value);
      }
    }

    @Override
    public void setContentType(String type) {
      if (!throttled()) {
        super.setContentType(type);
      }
    }

    @Override
    public void setContentLength(int len) {
      if (!throttled()) {
        super.setContentLength(len);
      }
    }

    @Override
    public void setContentLengthLong(long len) {
      if (!throttled()) {
        super.setContentLengthLong(len);
      }
    }

    @Override
    public void flushBuffer() throws IOException {
      if (!throttled()) {
        super.flushBuffer();
      }
    }

    @Override
    public ServletOutputStream getOutputStream() throws IOException {
      return throttled() ? NOWHERE : super.getOutputStream();
    }

    @Override
    public PrintWriter getWriter() throws IOException {
      return throttled() ? new PrintWriter(OutputStream.nullOutputStream()) : super.getWriter();
    }
  }

  private static final ServletOutputStream NOWHERE = new ServletOutputStream() {
    @Override
    public void write(int b) {
      // a throttled login's refusal is replaced by the 429
    }

    @Override
    public boolean isReady() { return true; }

    @Override
    public void setWriteListener(WriteListener listener) {
      throw new UnsupportedOperationException("blocking writes only");
    }
  };
}
