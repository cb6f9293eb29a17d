package io.medpipe.system;

import java.io.IOException;
import java.io.InputStream;
import java.io.PushbackInputStream;
import java.lang.reflect.Type;
import org.springframework.core.MethodParameter;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpInputMessage;
import org.springframework.http.converter.HttpMessageConverter;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.servlet.mvc.method.annotation.RequestBodyAdviceAdapter;

/**
 * The check that a request body is plain UTF-8 JSON, made before Jackson sees it. Jackson skips a UTF-8 byte order mark
 * and detects UTF-16/32 silently; RFC 8259 (8.1) forbids both in JSON sent over a network, and a body that two
 * parsers may read differently is how request smuggling between a proxy and medpipe starts. Duplicate keys and
 * trailing tokens are refused by the parser itself ({@code spring.jackson} settings in application.yml).
 */
@ControllerAdvice
class StrictJsonBody extends RequestBodyAdviceAdapter {

  @Override
  public boolean supports(MethodParameter parameter, Type targetType,
                          Class<? extends HttpMessageConverter<?>> converterType) {
    return true;
  }

  @Override
  public HttpInputMessage beforeBodyRead(HttpInputMessage message, MethodParameter parameter, Type targetType,
                                         Class<? extends HttpMessageConverter<?>> converterType)
      throws IOException {
    PushbackInputStream body = new PushbackInputStream(message.getBody(), 4);
    byte[] head = new byte[4];
    int n = 0;
    while (n < head.length) {
      int r = body.read(head, n, head.length - n);
      if (r < 0) {
        break;
      }
      n += r;
    }
    if (n > 0) {
      body.unread(head, 0, n);
    }
    if (startsWith(head, n, 0xEF, 0xBB, 0xBF) || startsWith(head, n, 0xFE, 0xFF) || startsWith(head, n, 0xFF, 0xFE)) {
      throw new InvalidRequestException("$", "must be UTF-8 JSON without a byte order mark");
    }
    for (int i = 0; i < n; i++) {
      if (head[i] == 0) {
        throw new InvalidRequestException("$", "must be UTF-8 JSON (this looks like UTF-16 or UTF-32)");
      }
    }
    return new HttpInputMessage() {
      @Override
      public InputStream getBody() { return body; }

      @Override
      public HttpHeaders getHeaders() { return message.getHeaders(); }
    };
  }

  private static boolean startsWith(byte[] head, int n, int... prefix) {
    if (n < prefix.length) {
      return false;
    }
    for (int i = 0; i < prefix.length; i++) {
      if ((head[i] & 0xff) != prefix[i]) {
        return false;
      }
    }
    return true;
  }
}
