package io.medpipe.system;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.security.web.util.matcher.RequestMatcher;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * The filter that applies {@link LoginThrottle} to the two ways of logging in to Camunda: the web apps' login form
 * ({@code POST /camunda/api/admin/auth/user/{engine}/login/{app}}) and HTTP Basic on {@code /engine-rest}. A throttled
 * attempt gets 429 problem+json with {@code Retry-After} and never reaches Camunda; otherwise Camunda answers as
 * always and its answer (401 or not) is counted. The form body is read here to learn the user name, then replayed
 * unchanged to Camunda.
 */
final class LoginThrottleFilter extends OncePerRequestFilter {

  /** Larger login forms are passed on unread (throttled per address only). */
  private static final int MAX_FORM_BYTES = 8192;

  private final LoginThrottle throttle;
  private final RequestMatcher webappLogin = PathPatternRequestMatcher.withDefaults()
      .matcher(HttpMethod.POST, "/camunda/api/admin/auth/user/{engine}/login/{app}");
  private final RequestMatcher engineRest = PathPatternRequestMatcher.withDefaults().matcher("/engine-rest/**");

  LoginThrottleFilter(LoginThrottle throttle) {
    this.throttle = throttle;
  }

  @Override
  protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    HttpServletRequest forward = request;
    String user;
    if (webappLogin.matches(request)) {
      byte[] form = readSmallBody(request);
      user = form == null ? null : formField(new String(form, StandardCharsets.ISO_8859_1), "username");
      if (form != null) {
        forward = new ReplayedBody(request, form);
      }
    } else if (engineRest.matches(request) && basicUser(request) != null) {
      user = basicUser(request);
    } else {
      chain.doFilter(request, response);
      return;
    }
    String address = request.getRemoteAddr();
    Duration wait = throttle.waitFor(address, user);
    if (!wait.isZero()) {
      response.setHeader("Retry-After", String.valueOf(Math.max(1, (wait.toMillis() + 999) / 1000)));
      Problems.write(response, HttpStatus.TOO_MANY_REQUESTS, "too many failed logins; try again in "
          + Math.max(1, (wait.toMillis() + 999) / 1000) + " s");
      return;
    }
    chain.doFilter(forward, response);
    if (request.isAsyncStarted()) {
      throttle.succeeded(user); // engine REST long polling: authentication passed before the request went async
    } else if (response.getStatus() == HttpServletResponse.SC_UNAUTHORIZED) {
      throttle.failed(address, user);
    } else if (response.getStatus() < 400) {
      throttle.succeeded(user);
    }
  }

  private static byte[] readSmallBody(HttpServletRequest request) throws IOException {
    long length = request.getContentLengthLong();
    if (length > MAX_FORM_BYTES) {
      return null;
    }
    byte[] body = request.getInputStream().readNBytes(MAX_FORM_BYTES + 1);
    if (body.length > MAX_FORM_BYTES) {
      throw new IOException("login form larger than " + MAX_FORM_BYTES + " bytes");
    }
    return body;
  }

  private static String formField(String form, String name) {
    for (String pair : form.split("&")) {
      int eq = pair.indexOf('=');
      if (eq > 0 && pair.substring(0, eq).equals(name)) {
        try {
          return URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException malformed) {
          return null;
        }
      }
    }
    return null;
  }

  private static String basicUser(HttpServletRequest request) {
    String header = request.getHeader("Authorization");
    if (header == null || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
      return null;
    }
    try {
      String decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
      int colon = decoded.indexOf(':');
      return colon < 0 ? null : decoded.substring(0, colon);
    } catch (IllegalArgumentException malformed) {
      return null;
    }
  }

  /** The request with its already-read body offered again to the next reader. */
  private static final class ReplayedBody extends HttpServletRequestWrapper {
    private final byte[] body;

    ReplayedBody(HttpServletRequest request, byte[] body) {
      super(request);
      this.body = body;
    }

    @Override
    public ServletInputStream getInputStream() {
      ByteArrayInputStream in = new ByteArrayInputStream(body);
      return new ServletInputStream() {
        @Override
        public int read() {
          return in.read();
        }

        @Override
        public int read(byte[] b, int off, int len) {
          return in.read(b, off, len);
        }

        @Override
        public boolean isFinished() {
          return in.available() == 0;
        }

        @Override
        public boolean isReady() {
          return true;
        }

        @Override
        public void setReadListener(ReadListener listener) {
          throw new UnsupportedOperationException("blocking reads only");
        }
      };
    }

    @Override
    public int getContentLength() {
      return body.length;
    }

    @Override
    public long getContentLengthLong() {
      return body.length;
    }
  }
}
