package io.medpipe.system;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * The throttle of failed logins (Cockpit/Tasklist/Admin and HTTP Basic on the engine REST API), per client address and
 * per user, with delays that expire: after a few free failures, the next attempt must wait 1 s, then 2 s, 4 s ... up to
 * a cap, and a quiet period forgets all. Nothing here locks anybody for good, and the engine's own permanent lock after
 * {@code login-max-attempts} is switched off (application.yml), so an outsider can no longer lock {@code admin} out.
 *
 * <p>Why two keys: per address stops one client from guessing quickly (its delay grows to a minute); per user slows a
 * guess spread over many addresses, with a short cap so that such an attack delays the real user by seconds, not
 * for good. A throttled attempt never reaches the engine, so it neither checks a password nor extends the engine's
 * own short per-user delay ({@code login-delay-*}). Memory is bounded: at most {@value #MAX_ENTRIES} addresses and
 * users are tracked; beyond that, new ones are not throttled until old entries expire.
 */
@Component
public class LoginThrottle {

  private static final Logger log = LoggerFactory.getLogger(LoginThrottle.class);
  static final int MAX_ENTRIES = 100_000;

  /** How one key (address or user) is throttled. */
  record Policy(int freeFailures, Duration maxDelay) {}

  /** The longest a user waits because of failures from other addresses (the engine adds at most 5 s). */
  public static final Duration MAX_USER_DELAY = Duration.ofSeconds(10);
  static final Policy PER_ADDRESS = new Policy(5, Duration.ofSeconds(60));
  static final Policy PER_USER = new Policy(10, MAX_USER_DELAY);
  /** Failures older than this are forgotten. */
  static final Duration FORGET_AFTER = Duration.ofMinutes(15);

  private record Entry(int failures, long lastFailure, long blockedUntil) {}

  private final Map<String, Entry> addresses = new ConcurrentHashMap<>();
  private final Map<String, Entry> users = new ConcurrentHashMap<>();
  private final LongSupplier clock;

  @Autowired
  LoginThrottle() {
    this(System::currentTimeMillis);
  }

  LoginThrottle(LongSupplier clockMillis) {
    this.clock = clockMillis;
  }

  /** How long this attempt must wait; zero if it may go ahead. */
  public Duration waitFor(String address, String user) {
    long now = clock.getAsLong();
    long until = Math.max(blockedUntil(addresses, address, now), blockedUntil(users, key(user), now));
    return until > now ? Duration.ofMillis(until - now) : Duration.ZERO;
  }

  /** Records a failed login (wrong password, unknown user) from this address for this user (null if unknown). */
  public void failed(String address, String user) {
    long now = clock.getAsLong();
    int byAddress = fail(addresses, address, PER_ADDRESS, now);
    fail(users, key(user), PER_USER, now);
    if (byAddress == PER_ADDRESS.freeFailures() + 1) {
      // the address and a count only: a user name typed at a login form may be anything
      log.warn("Failed logins from {}: {} in a row, throttling it (delays up to {} s)", address, byAddress,
          PER_ADDRESS.maxDelay().toSeconds());
    }
  }

  /** A successful login clears the user's failures (not the address's: one good account must not reset guessing). */
  public void succeeded(String user) {
    if (user != null) {
      users.remove(key(user));
    }
  }

  private static String key(String user) {
    return user == null || user.isBlank() ? null : user.strip().toLowerCase(Locale.ROOT);
  }

  private static long blockedUntil(Map<String, Entry> entries, String key, long now) {
    if (key == null) {
      return 0;
    }
    Entry e = entries.get(key);
    return e == null || now - e.lastFailure() > FORGET_AFTER.toMillis() ? 0 : e.blockedUntil();
  }

  private static int fail(Map<String, Entry> entries, String key, Policy policy, long now) {
    if (key == null) {
      return 0;
    }
    if (entries.size() >= MAX_ENTRIES && !entries.containsKey(key)) {
      entries.values().removeIf(e -> now - e.lastFailure() > FORGET_AFTER.toMillis());
      if (entries.size() >= MAX_ENTRIES) {
        return 0;
      }
    }
    Entry updated = entries.compute(key, (k, e) -> {
      int failures = e == null || now - e.lastFailure() > FORGET_AFTER.toMillis() ? 1 : e.failures() + 1;
      long blocked = 0;
      if (failures > policy.freeFailures()) {
        int doublings = Math.min(failures - policy.freeFailures() - 1, 30);
        blocked = now + Math.min(1000L << doublings, policy.maxDelay().toMillis());
      }
      return new Entry(failures, now, blocked);
    });
    return updated.failures();
  }
}
