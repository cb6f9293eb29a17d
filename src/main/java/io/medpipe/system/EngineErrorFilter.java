package io.medpipe.system;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Puts Camunda's REST error answers ({@code /engine-rest/*} and the web apps' {@code /camunda/api/*}) into the API's
 * words ({@link EngineErrors}): the right status instead of 500 for what the request caused, no Java class names.
 * Only error answers are held back and rewritten; every other answer streams through untouched, and so does an answer
 * written after the request went asynchronous (the workers' long polling).
 *
 * <p>Camunda's own logger of REST errors ({@code org.camunda.bpm.engine.rest.exception}) is off in application.yml: it
 * logged each 500 with its message and stack trace, and those messages quote request content (variable names and
 * values, JSON fragments). This filter logs instead what Camunda answered with, by status and exception type only.
 */
final class EngineErrorFilter extends OncePerRequestFilter {

  static final String[] URL_PATTERNS = {"/engine-rest/*", "/camunda/api/*"};
  private static final Logger log = LoggerFactory.getLogger(EngineErrorFilter.class);
  /** An error body larger than this is not Camunda's error JSON: it is passed on as it is. */
  private static final int MAX_ERROR_BYTES = 64 * 1024;

  @Override
  protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    ErrorCapture capture = new ErrorCapture(request, response);
    chain.doFilter(request, capture);
    if (!capture.holding()) {
      return;
    }
    int status = capture.getStatus();
    if (status < 400) {
      // an error status was set and then replaced: the body is not an error's
      response.getOutputStream().write(capture.held());
      return;
    }
    EngineErrors.Answer answer = EngineErrors.translate(status, capture.held());
    if (status >= 500 && answer.type() != null) {
      log.warn("Engine REST answered {} ({}); answered {}", status,
          answer.type().matches("[A-Za-z]{1,80}") ? answer.type() : "?", answer.status());
    } else if (status >= 500) {
      log.warn("Engine REST answered {}", status);
    }
    response.setStatus(answer.status());
    if (answer.rewritten()) {
      response.setContentType("application/json");
      response.setCharacterEncoding(StandardCharsets.UTF_8.name());
    }
    response.setContentLength(answer.body().length);
    response.getOutputStream().write(answer.body());
  }

  /**
   * The response as Camunda writes it: passed through, except that once an error status is set (and the request has
   * not gone asynchronous) the body is held here instead of sent.
   */
  private static final class ErrorCapture extends HttpServletResponseWrapper {
    private final HttpServletRequest request;
    private ByteArrayOutputStream held;
    private boolean overflowed;
    private ServletOutputStream stream;
    private PrintWriter writer;

    ErrorCapture(HttpServletRequest request, HttpServletResponse response) {
      super(response);
      this.request = request;
    }

    boolean holding() {
      return held != null && !overflowed;
    }

    byte[] held() {
      if (writer != null) {
        writer.flush();
      }
      return held.toByteArray();
    }

    @Override
    public void setStatus(int sc) {
      super.setStatus(sc);
      if (sc >= 400 && held == null && stream == null && writer == null && !isCommitted()
          && !request.isAsyncStarted()) {
        held = new ByteArrayOutputStream();
      }
    }

    @Override
    public ServletOutputStream getOutputStream() throws IOException {
      if (!holding()) {
        return super.getOutputStream();
      }
      if (stream == null) {
        stream = new HeldStream();
      }
      return stream;
    }

    @Override
    public PrintWriter getWriter() throws IOException {
      if (!holding()) {
        return super.getWriter();
      }
      if (writer == null) {
        String charset = getCharacterEncoding() == null ? StandardCharsets.UTF_8.name() : getCharacterEncoding();
        writer = new PrintWriter(new OutputStreamWriter(getOutputStream(), charset));
      }
      return writer;
    }

    @Override
    public void setContentLength(int len) {
      if (!holding()) {
        super.setContentLength(len);
      }
    }

    @Override
    public void setContentLengthLong(long len) {
      if (!holding()) {
        super.setContentLengthLong(len);
      }
    }

    @Override
    public void setHeader(String name, String value) {
      if (!holding() || !"Content-Length".equalsIgnoreCase(name)) {
        super.setHeader(name, value);
      }
    }

    @Override
    public void addHeader(String name, String value) {
      if (!holding() || !"Content-Length".equalsIgnoreCase(name)) {
        super.addHeader(name, value);
      }
    }

    @Override
    public void flushBuffer() throws IOException {
      if (!holding()) {
        super.flushBuffer();
      }
    }

    @Override
    public void resetBuffer() {
      if (held != null) {
        held.reset();
      }
      super.resetBuffer();
    }

    @Override
    public void reset() {
      if (held != null) {
        held.reset();
      }
      super.reset();
    }

    /** Collects the error body; past the size limit, sends what it has and the rest straight on. */
    private final class HeldStream extends ServletOutputStream {
      @Override
      public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        if (overflowed) {
          ErrorCapture.super.getOutputStream().write(b, off, len);
          return;
        }
        held.write(b, off, len);
        if (held.size() > MAX_ERROR_BYTES) {
          overflowed = true;
          ErrorCapture.super.getOutputStream().write(held.toByteArray());
        }
      }

      @Override
      public boolean isReady() { return true; }

      @Override
      public void setWriteListener(WriteListener listener) {
        throw new UnsupportedOperationException("blocking writes only");
      }
    }
  }
}
