package io.medpipe.system;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * The throttle of failed logins to Camunda (the web apps' login and HTTP Basic on the engine REST API), consulted by
 * the engine's own password check ({@link ThrottledIdentityProvider}) for the user the engine actually checks. Three
 * counts of failures, each with a few free failures, then a delay that doubles from 1 s up to its cap, and each
 * forgotten after {@link #FORGET_AFTER} without a failure:
 *
 * <ul>
 *   <li>per user and address: one address guessing one user's password waits up to a minute per guess; a successful
 *       login of that user from that address clears it (a typo is forgiven by the next good login);</li>
 *   <li>per address: one address trying many users waits up to a minute per guess; a success does not clear it (one
 *       good account must not reset guessing at others);</li>
 *   <li>per user, counting only addresses the user has not logged in from within {@link #KNOWN_FOR}: a guess spread
 *       over many addresses gets one attempt per {@link #PER_USER} cap at most, whatever the number of addresses.</li>
 * </ul>
 *
 * <p>Why the last one spares known addresses: an outsider's failures must not keep the real user out. Before, the
 * per-user delay applied to everyone, so an attack from a few addresses kept {@code admin} (and the workers' user)
 * refused for as long as it ran. Now the user logging in from where they logged in before is delayed only by their own
 * address's failures; only a user on a new address shares the penalty while an attack runs (docs/security-api.md).
 * IPv6 addresses count per /64, the block one subscriber gets. Nothing here locks anyone for good, and the engine's
 * own lock is switched off (ThrottledIdentityProvider). Memory is bounded: at most {@value #MAX_ENTRIES} entries per
 * count; beyond that, new keys are not counted until old entries expire.
 */
@Component
public class LoginThrottle {

  private static final Logger log = LoggerFactory.getLogger(LoginThrottle.class);
  static final int MAX_ENTRIES = 100_000;

  /** How one count is throttled: free failures, then delays doubling from 1 s up to the cap. */
  record Policy(int freeFailures, Duration maxDelay) {}

  static final Policy PER_PAIR = new Policy(5, Duration.ofSeconds(60));
  static final Policy PER_ADDRESS = new Policy(20, Duration.ofSeconds(60));
  static final Policy PER_USER = new Policy(10, Duration.ofSeconds(30));
  /** Failures older than this are forgotten. */
  static final Duration FORGET_AFTER = Duration.ofMinutes(15);
  /** A successful login makes its address known for its user this long. */
  static final Duration KNOWN_FOR = Duration.ofDays(30);
  /** The longest a user on a new address waits per attempt while others guess its password. */
  public static final Duration MAX_USER_DELAY = PER_USER.maxDelay();

  private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
  private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]{2,45}");

  private record Entry(int failures, long lastFailure, long blockedUntil) {}

  private final Map<String, Entry> pairs = new ConcurrentHashMap<>();
  private final Map<String, Entry> addresses = new ConcurrentHashMap<>();
  private final Map<String, Entry> users = new ConcurrentHashMap<>();
  /** user + address of every successful login: when it last happened. */
  private final Map<String, Long> known = new ConcurrentHashMap<>();
  private final LongSupplier clock;

  @Autowired
  LoginThrottle() {
    this(System::currentTimeMillis);
  }

  LoginThrottle(LongSupplier clockMillis) {
    this.clock = clockMillis;
  }

  /** How long a login of this user from this address must wait before its password is checked; zero: check it. */
  public Duration waitFor(String address, String user) {
    long now = clock.getAsLong();
    String a = addressKey(address);
    String u = userKey(user);
    long until = Math.max(blockedUntil(pairs, pair(u, a), now), blockedUntil(addresses, a, now));
    if (!known(u, a, now)) {
      until = Math.max(until, blockedUntil(users, u, now));
    }
    return until > now ? Duration.ofMillis(until - now) : Duration.ZERO;
  }

  /** Records a failed login (wrong password or unknown user) of this user from this address. */
  public void failed(String address, String user) {
    long now = clock.getAsLong();
    String a = addressKey(address);
    String u = userKey(user);
    fail(pairs, pair(u, a), PER_PAIR, now);
    int byAddress = fail(addresses, a, PER_ADDRESS, now);
    if (!known(u, a, now)) {
      fail(users, u, PER_USER, now);
    }
    if (byAddress == PER_ADDRESS.freeFailures() + 1) {
      // the address only (as Tomcat reports it, if it is an address): a user name may be anything typed
      log.warn("Failed logins from {}: {} in a row, throttling it (delays up to {} s)", printable(address), byAddress,
          PER_ADDRESS.maxDelay().toSeconds());
    }
  }

  /** Records a successful login: clears this user's failures from this address and makes the address known. */
  public void succeeded(String address, String user) {
    long now = clock.getAsLong();
    String key = pair(userKey(user), addressKey(address));
    pairs.remove(key);
    if (known.size() >= MAX_ENTRIES && !known.containsKey(key)) {
      known.values().removeIf(at -> now - at > KNOWN_FOR.toMillis());
      if (known.size() >= MAX_ENTRIES) {
        return;
      }
    }
    known.put(key, now);
  }

  private boolean known(String user, String address, long now) {
    Long at = known.get(pair(user, address));
    return at != null && now - at <= KNOWN_FOR.toMillis();
  }

  private static String pair(String user, String address) {
    return user + '\u0000' + address;
  }

  static String userKey(String user) {
    return user == null ? "" : user.strip().toLowerCase(Locale.ROOT);
  }

  /** The address as counted: an IPv4 address as it is, an IPv6 address by its /64 (one subscriber's block). */
  static String addressKey(String address) {
    if (address == null) {
      return "";
    }
    if (address.indexOf(':') >= 0 && IPV6.matcher(address).matches()) {
      try {
        byte[] bytes = InetAddress.getByName(address).getAddress();
        if (bytes.length == 16) {
          return HexFormat.of().formatHex(bytes, 0, 8) + "::/64";
        }
      } catch (UnknownHostException notALiteral) {
        return address;
      }
    }
    return address;
  }

  private static String printable(String address) {
    return address != null && (IPV4.matcher(address).matches() || IPV6.matcher(address).matches()) ? address : "?";
  }

  private static long blockedUntil(Map<String, Entry> entries, String key, long now) {
    Entry e = entries.get(key);
    return e == null || now - e.lastFailure() > FORGET_AFTER.toMillis() ? 0 : e.blockedUntil();
  }

  private static int fail(Map<String, Entry> entries, String key, Policy policy, long now) {
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
