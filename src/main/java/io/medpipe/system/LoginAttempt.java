package io.medpipe.system;

import java.time.Duration;

/**
 * The HTTP request being answered on this thread, as the engine's password check sees it: the client's address, and
 * whether the check refused the login because of {@link LoginThrottle} (and for how long). Set by
 * {@link LoginThrottleFilter} around Camunda's paths and read by {@link ThrottledIdentityProvider}, which runs on the
 * same thread: Camunda checks passwords synchronously, in its authentication filter and in its login resource.
 */
final class LoginAttempt {

  private static final ThreadLocal<LoginAttempt> CURRENT = new ThreadLocal<>();

  private final String address;
  private Duration throttled;

  private LoginAttempt(String address) {
    this.address = address;
  }

  /** Starts the attempt of a request from this address on this thread. */
  static LoginAttempt begin(String address) {
    LoginAttempt attempt = new LoginAttempt(address);
    CURRENT.set(attempt);
    return attempt;
  }

  /** The attempt of the request on this thread; null outside a request (the application's own checks). */
  static LoginAttempt current() {
    return CURRENT.get();
  }

  static void end() {
    CURRENT.remove();
  }

  String address() {
    return address;
  }

  /** The check was refused unanswered: the client must wait this long. */
  void throttle(Duration wait) {
    throttled = wait;
  }

  /** How long the client must wait, or null if no check was throttled. */
  Duration throttled() {
    return throttled;
  }
}
