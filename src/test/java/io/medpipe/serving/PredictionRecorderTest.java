package io.medpipe.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.medpipe.system.ApiProblems.ServiceUnavailableException;
import io.medpipe.privacy.PrivacyProperties;
import io.medpipe.serving.ServingProperties.Record.Durability;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The prediction record's writer: batches, backpressure, and nothing queued lost on a graceful stop. */
class PredictionRecorderTest {

  /** A log that keeps the written ids in memory and can be held back to let the queue fill. */
  static class FakeLog extends PredictionLog {
    final List<UUID> written = Collections.synchronizedList(new ArrayList<>());
    final List<Integer> batches = Collections.synchronizedList(new ArrayList<>());
    volatile CountDownLatch gate = new CountDownLatch(0);

    FakeLog() {
      super(null, null);
    }

    @Override
    void write(List<Entry> entries) {
      try {
        gate.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      batches.add(entries.size());
      entries.forEach(e -> written.add(e.response().predictionId()));
    }
  }

  static ServingProperties properties(Durability durability, int capacity) {
    return new ServingProperties(true, "http://localhost", Duration.ofSeconds(2), 5, 100, 262144,
        new ServingProperties.Record(durability, capacity, 50, Duration.ofDays(183), "0 30 3 * * *"));
  }

  static PrivacyProperties privacy() {
    return new PrivacyProperties(PSEUDONYM_KEY, REFERENCE_KEY);
  }

  /** The pseudonymisation key of the serving unit tests (patient references are stored as its HMAC). */
  static final String PSEUDONYM_KEY = "serving-tests-pseudonym-key";
  static final String REFERENCE_KEY = "serving-tests-reference-key";

  static PredictionLog.Entry entry() {
    var response = new PredictionApi.PredictionResponse(UUID.randomUUID(), null,
        new PredictionApi.ModelInfo(UUID.randomUUID(), "m", 1), "production", "a", Map.of("a", 1.0), "argmax", 0.5,
        "b", "the most probable class", null, 1.0, PredictionApi.PredictionResponse.AUTOMATED, 1.0);
    return new PredictionLog.Entry(response, Map.of(), new double[0], null, null, "client", Instant.now());
  }

  @Test
  void commitDurabilityReturnsOnlyOnceWritten() {
    FakeLog log = new FakeLog();
    PredictionRecorder recorder = new PredictionRecorder(log, properties(Durability.COMMIT, 100),
        new SimpleMeterRegistry());
    recorder.start();
    PredictionLog.Entry e = entry();
    recorder.record(List.of(e));
    assertThat(log.written).contains(e.response().predictionId());
    recorder.stop();
  }

  @Test
  void aWaitThatFailsIsStillTimedSoTheCommitWaitAlertSeesAStalledDatabase() {
    FakeLog failing = new FakeLog() {
      @Override
      void write(List<Entry> entries) {
        throw new org.springframework.dao.DataAccessResourceFailureException("database unreachable");
      }
    };
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    PredictionRecorder recorder = new PredictionRecorder(failing, properties(Durability.COMMIT, 100), meters);
    recorder.start();
    assertThatThrownBy(() -> recorder.record(List.of(entry()))).isInstanceOf(ServiceUnavailableException.class)
        .hasMessageContaining("could not be recorded");
    io.micrometer.core.instrument.Timer wait = meters.get("medpipe.prediction.record.wait").timer();
    assertThat(wait.count()).isEqualTo(1);
    assertThat(wait.totalTime(TimeUnit.MILLISECONDS)).isPositive();
    recorder.stop();
  }

  @Test
  void aFullQueueIsRefusedWith503AndAGracefulStopWritesEverythingQueued() throws Exception {
    FakeLog log = new FakeLog();
    log.gate = new CountDownLatch(1); // the database is slow: nothing gets written yet
    PredictionRecorder recorder = new PredictionRecorder(log, properties(Durability.ASYNC, 10),
        new SimpleMeterRegistry());
    recorder.start();
    List<UUID> acknowledged = new ArrayList<>();
    int refused = 0;
    for (int i = 0; i < 30; i++) {
      PredictionLog.Entry e = entry();
      try {
        recorder.record(List.of(e));
        acknowledged.add(e.response().predictionId());
      } catch (ServiceUnavailableException full) {
        refused++;
      }
    }
    assertThat(refused).isPositive();
    log.gate.countDown();
    recorder.stop();
    assertThat(log.written).containsExactlyInAnyOrderElementsOf(acknowledged);
    assertThat(log.batches).allMatch(n -> n <= 50);
    assertThatThrownBy(() -> recorder.record(List.of(entry()))).isInstanceOf(ServiceUnavailableException.class);
  }

  @Test
  void aBatchRequestIsQueuedWholeOrNotAtAll() {
    FakeLog log = new FakeLog();
    log.gate = new CountDownLatch(1);
    PredictionRecorder recorder = new PredictionRecorder(log, properties(Durability.ASYNC, 5),
        new SimpleMeterRegistry());
    recorder.start();
    List<PredictionLog.Entry> six = List.of(entry(), entry(), entry(), entry(), entry(), entry());
    assertThatThrownBy(() -> recorder.record(six)).isInstanceOf(ServiceUnavailableException.class);
    log.gate.countDown();
    recorder.stop();
    assertThat(log.written).isEmpty();
  }

  /**
   * A batch request larger than the writer's batch size is still one transaction, so a failure answered with 503
   * leaves none of its rows behind to be duplicated by the client's retry.
   */
  @Test
  void aBatchRequestIsCommittedInOneTransaction() {
    FakeLog log = new FakeLog();
    PredictionRecorder recorder = new PredictionRecorder(log, properties(Durability.COMMIT, 500),
        new SimpleMeterRegistry());
    recorder.start();
    List<PredictionLog.Entry> hundred = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      hundred.add(entry());
    }
    recorder.record(hundred); // the writers' batch size is 50
    recorder.stop();
    assertThat(log.batches).containsExactly(100);
    assertThat(log.written).containsExactlyElementsOf(hundred.stream().map(e -> e.response().predictionId()).toList());
  }
}
