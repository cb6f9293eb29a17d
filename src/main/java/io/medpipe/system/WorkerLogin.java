package io.medpipe.system;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import org.springframework.security.web.util.matcher.IpAddressMatcher;

/**
 * The workers' own login: their technical user with its configured password, from the addresses the workers run at
 * ({@code medpipe.worker.addresses}, loopback by default for the in-process workers). Such a login is never throttled
 * and never counted, so that nobody else's failures — wrong passwords for {@code medpipe-worker} sent by an outsider,
 * even from the workers' own address — can stall the pipeline. A wrong password for that user is an ordinary failure.
 *
 * <p>Letting the right password through unthrottled tells a client on those addresses, quickly, whether a guess was
 * right; the workers' password is a long random secret (generated in demo mode) and the addresses are the workers'
 * own, so that is no guessing help worth having.
 */
final class WorkerLogin {

  private final String user;
  private final byte[] passwordHash;
  private final List<IpAddressMatcher> addresses;

  WorkerLogin(String user, String password, List<String> addresses) {
    this.user = user;
    this.passwordHash = password == null || password.isEmpty() ? null : sha256(password);
    this.addresses = addresses == null ? List.of() : addresses.stream().map(IpAddressMatcher::new).toList();
  }

  /** Whether this is the workers' user, with its own password, from one of the workers' addresses. */
  boolean matches(String userId, String password, String address) {
    if (passwordHash == null || userId == null || password == null || address == null || !userId.equals(user)) {
      return false;
    }
    boolean from = false;
    for (IpAddressMatcher matcher : addresses) {
      try {
        from |= matcher.matches(address);
      } catch (IllegalArgumentException notAnAddress) {
        return false;
      }
    }
    // constant time: the comparison must not tell how much of a guess was right
    return from && MessageDigest.isEqual(sha256(password), passwordHash);
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 unavailable", e);
    }
  }
}
