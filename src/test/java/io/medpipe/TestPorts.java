package io.medpipe;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;

/**
 * A free local port picked before the application starts: the in-process external-task client needs the REST
 * URL before the web server has chosen a random port (STACK-NOTES pitfall 8).
 */
public final class TestPorts {

  private TestPorts() {}

  public static int free() {
    try (ServerSocket socket = new ServerSocket(0)) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
