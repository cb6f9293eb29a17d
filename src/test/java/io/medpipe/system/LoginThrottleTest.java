package io.medpipe.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Failed logins are delayed per address and per user, growing to a cap and expiring; nothing locks for good. */
class LoginThrottleTest {

  final AtomicLong now = new AtomicLong(1_000_000);
  final LoginThrottle throttle = new LoginThrottle(now::get);

  @Test
  void anAddressGetsItsFreeFailuresThenDoublingDelaysUpToAMinute() {
    for (int i = 0; i < LoginThrottle.PER_ADDRESS.freeFailures(); i++) {
      assertThat(throttle.waitFor("10.0.0.1", "user" + i)).isZero();
      throttle.failed("10.0.0.1", "user" + i);
    }
    assertThat(throttle.waitFor("10.0.0.1", "someone")).isZero();
    throttle.failed("10.0.0.1", "someone");
    assertThat(throttle.waitFor("10.0.0.1", "someone")).isEqualTo(Duration.ofSeconds(1));
    long[] expected = {2, 4, 8, 16, 32, 60, 60};
    for (long seconds : expected) {
      now.addAndGet(throttle.waitFor("10.0.0.1", "x").toMillis());
      throttle.failed("10.0.0.1", "x" + seconds);
      assertThat(throttle.waitFor("10.0.0.1", "y")).isEqualTo(Duration.ofSeconds(seconds));
    }
    assertThat(throttle.waitFor("10.0.0.2", "y")).as("another address is not delayed").isZero();
  }

  @Test
  void aUserAttackedFromManyAddressesIsDelayedBySecondsOnly() {
    for (int i = 0; i < 40; i++) {
      now.addAndGet(throttle.waitFor("10.0.1." + i, "admin").toMillis());
      throttle.failed("10.0.1." + i, "admin");
    }
    Duration wait = throttle.waitFor("192.168.0.7", "ADMIN");
    assertThat(wait).isPositive().isLessThanOrEqualTo(LoginThrottle.PER_USER.maxDelay());
    now.addAndGet(wait.toMillis());
    assertThat(throttle.waitFor("192.168.0.7", "admin")).isZero();
  }

  @Test
  void delaysExpireAndSuccessClearsTheUser() {
    for (int i = 0; i < 30; i++) {
      throttle.failed("10.0.0.9", "reviewer");
    }
    assertThat(throttle.waitFor("10.0.0.9", "reviewer")).isPositive();
    throttle.succeeded("reviewer");
    assertThat(throttle.waitFor("10.0.0.8", "reviewer")).as("user cleared by a success").isZero();
    assertThat(throttle.waitFor("10.0.0.9", "other")).as("the address is not cleared by it").isPositive();
    now.addAndGet(LoginThrottle.FORGET_AFTER.toMillis() + 1);
    assertThat(throttle.waitFor("10.0.0.9", "reviewer")).isZero();
    throttle.failed("10.0.0.9", "reviewer");
    assertThat(throttle.waitFor("10.0.0.9", "reviewer")).as("counting starts again").isZero();
  }
}
