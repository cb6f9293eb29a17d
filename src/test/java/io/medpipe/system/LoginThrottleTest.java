package io.medpipe.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Failed logins are delayed per user and address, per address, and per user from unknown addresses; delays grow to a
 * cap and expire; an address a user logged in from is never delayed by failures from elsewhere; nothing locks.
 */
class LoginThrottleTest {

  final AtomicLong now = new AtomicLong(1_000_000);
  final LoginThrottle throttle = new LoginThrottle(now::get);

  @Test
  void oneAddressGuessingOneUserGetsItsFreeFailuresThenDoublingDelaysUpToAMinute() {
    throttle.succeeded("10.0.0.2", "reviewer");
    for (int i = 0; i < LoginThrottle.PER_PAIR.freeFailures(); i++) {
      assertThat(throttle.waitFor("10.0.0.1", "reviewer")).isZero();
      throttle.failed("10.0.0.1", "reviewer");
    }
    assertThat(throttle.waitFor("10.0.0.1", "reviewer")).isZero();
    throttle.failed("10.0.0.1", "reviewer");
    assertThat(throttle.waitFor("10.0.0.1", "reviewer")).isEqualTo(Duration.ofSeconds(1));
    long[] expected = {2, 4, 8, 16, 32, 60, 60};
    for (long seconds : expected) {
      now.addAndGet(throttle.waitFor("10.0.0.1", "reviewer").toMillis());
      throttle.failed("10.0.0.1", "reviewer");
      assertThat(throttle.waitFor("10.0.0.1", "reviewer")).isEqualTo(Duration.ofSeconds(seconds));
    }
    assertThat(throttle.waitFor("10.0.0.2", "reviewer")).as("an address the user logged in from is not delayed by it")
        .isZero();
    assertThat(throttle.waitFor("10.0.0.4", "reviewer")).as("a new address shares the per-user delay")
        .isPositive().isLessThanOrEqualTo(LoginThrottle.MAX_USER_DELAY);
    assertThat(throttle.waitFor("10.0.0.1", "devops")).as("nor another user from it, yet").isZero();
  }

  @Test
  void oneAddressTryingManyUsersIsDelayedAfterItsAddressAllowance() {
    for (int i = 0; i < LoginThrottle.PER_ADDRESS.freeFailures(); i++) {
      throttle.failed("10.0.0.3", "user" + i);
    }
    assertThat(throttle.waitFor("10.0.0.3", "someone-else")).isZero();
    throttle.failed("10.0.0.3", "user-x");
    assertThat(throttle.waitFor("10.0.0.3", "someone-else")).isEqualTo(Duration.ofSeconds(1));
    throttle.succeeded("10.0.0.3", "operator");
    assertThat(throttle.waitFor("10.0.0.3", "someone-else")).as("one good account does not reset guessing")
        .isPositive();
  }

  @Test
  void aGuessSpreadOverManyAddressesIsCappedPerUserButNeverDelaysAnAddressTheUserLoggedInFrom() {
    throttle.succeeded("192.168.0.7", "admin");
    int attempts = 0;
    long start = now.get();
    // 1,000 addresses, each trying until refused, for an hour
    for (int round = 0; now.get() - start < Duration.ofHours(1).toMillis(); round++) {
      String address = "10.1." + (round % 1000 / 250) + "." + (round % 250);
      Duration wait = throttle.waitFor(address, "admin");
      if (wait.isZero()) {
        throttle.failed(address, "admin");
        attempts++;
      } else {
        now.addAndGet(Math.min(wait.toMillis(), 1000));
      }
      assertThat(throttle.waitFor("192.168.0.7", "admin")).as("the address admin logged in from").isZero();
    }
    System.out.printf("1,000 addresses guessing one user for an hour: %d guesses checked%n", attempts);
    // 10 free, then 1 + 2 + ... + 16 s, then one per 30 s: about 130 an hour, whatever the number of addresses
    assertThat(attempts).isBetween(110, 150);
    Duration onANewAddress = throttle.waitFor("172.16.0.1", "ADMIN");
    assertThat(onANewAddress).as("a new address shares the per-user delay").isPositive()
        .isLessThanOrEqualTo(LoginThrottle.MAX_USER_DELAY);
    now.addAndGet(onANewAddress.toMillis());
    assertThat(throttle.waitFor("172.16.0.1", "admin")).isZero();
  }

  @Test
  void aSuccessClearsThatUsersFailuresFromThatAddressAndDelaysExpire() {
    for (int i = 0; i < 8; i++) {
      throttle.failed("10.0.0.9", "reviewer");
    }
    assertThat(throttle.waitFor("10.0.0.9", "reviewer")).isPositive();
    throttle.succeeded("10.0.0.9", "reviewer");
    assertThat(throttle.waitFor("10.0.0.9", "reviewer")).as("a typo is forgiven by the next good login").isZero();
    for (int i = 0; i < 30; i++) {
      throttle.failed("10.0.0.8", "chief");
    }
    assertThat(throttle.waitFor("10.0.0.8", "chief")).isPositive();
    now.addAndGet(LoginThrottle.FORGET_AFTER.toMillis() + 1);
    assertThat(throttle.waitFor("10.0.0.8", "chief")).isZero();
    throttle.failed("10.0.0.8", "chief");
    assertThat(throttle.waitFor("10.0.0.8", "chief")).as("counting starts again").isZero();
  }

  @Test
  void aKnownAddressIsForgottenAfterThirtyDays() {
    throttle.succeeded("192.168.0.7", "admin");
    now.addAndGet(LoginThrottle.KNOWN_FOR.toMillis() + 1);
    for (int i = 0; i < 20; i++) {
      throttle.failed("10.2.0." + i, "admin");
    }
    assertThat(throttle.waitFor("192.168.0.7", "admin")).isPositive();
  }

  @Test
  void anIpv6SubscriberCountsAsOneAddressPerSlash64() {
    assertThat(LoginThrottle.addressKey("2001:db8:1:2:aaaa::1"))
        .isEqualTo(LoginThrottle.addressKey("2001:db8:1:2::ffff"))
        .isNotEqualTo(LoginThrottle.addressKey("2001:db8:1:3::1"));
    assertThat(LoginThrottle.addressKey("127.0.0.1")).isEqualTo("127.0.0.1");
    for (int i = 0; i < LoginThrottle.PER_PAIR.freeFailures() + 1; i++) {
      throttle.failed("2001:db8:1:2::" + Integer.toHexString(i + 1), "admin");
    }
    assertThat(throttle.waitFor("2001:db8:1:2::beef", "admin")).isPositive();
  }
}
