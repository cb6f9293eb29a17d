package io.medpipe.serving;

import io.medpipe.system.ApiProblems.ServiceUnavailableException;
import io.medpipe.serving.ServingProperties.Record.Durability;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Writes the prediction record off the request thread: a bounded queue drained by {@value #WRITERS} writer threads,
 * each inserting whatever has accumulated (about {@code batchSize} predictions) in one batch. A request's predictions
 * (one, or a whole batch request) travel as one queue item, so they are committed in one transaction, all or none:
 * a request answered 503 has left no row, and its retry cannot duplicate any. A full queue refuses the prediction with 503
 * rather than losing its record. With durability COMMIT the request waits for its batch's commit (group commit), so
 * a crash loses no acknowledged prediction; with ASYNC it does not wait, and a crash loses at most the queue.
 *
 * <p>It stops after the web server (a lower lifecycle phase), so a graceful shutdown first finishes the requests in
 * flight and then writes everything still queued.
 */
@Component
@ConditionalOnProperty(name = "medpipe.serving.enabled", havingValue = "true", matchIfMissing = true)
class PredictionRecorder implements SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(PredictionRecorder.class);
  private static final long COMMIT_WAIT_SECONDS = 10;
  /**
   * Writer threads (each with its own connection while it writes). With one, a prediction that arrives while a batch is
   * committing waits for that commit and then its own, up to twice the commit time, on top of its prediction;
   * with a second writer it is usually taken at once. PostgreSQL still groups concurrent
   * commits into one WAL flush, and at high rates both writers batch as before.
   */
  static final int WRITERS = 2;

  /** One request's predictions; {@code written} is null under durability ASYNC. */
  private record Pending(List<PredictionLog.Entry> entries, CompletableFuture<Void> written) {}

  private final PredictionLog predictionLog;
  private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
  /** Predictions (not requests) queued, bounded by {@link #capacity}. */
  private final AtomicInteger queued = new AtomicInteger();
  private final int capacity;
  private final int batchSize;
  private final Durability durability;
  private volatile boolean running;
  private volatile boolean accepting;
  private final List<Thread> writers = new ArrayList<>();
  private final Timer commitWait;

  PredictionRecorder(PredictionLog predictionLog, ServingProperties serving, MeterRegistry meters) {
    this.predictionLog = predictionLog;
    ServingProperties.Record settings = serving.record();
    this.capacity = settings.queueCapacity();
    this.batchSize = settings.batchSize();
    this.durability = settings.durability();
    Gauge.builder("medpipe.prediction.record.queue", queued, AtomicInteger::get)
        .description("predictions waiting to be written to the prediction record").register(meters);
    commitWait = Timer.builder("medpipe.prediction.record.wait")
        .description("how long a request waited for its prediction record to commit (durability commit), "
            + "including waits that failed or timed out")
        .publishPercentileHistogram().register(meters);
  }

  /**
   * Queues the entries (all or none) and, with durability COMMIT, waits until they are committed.
   *
   * @throws ServiceUnavailableException if the queue is full, or the record could not be written in time
   */
  void record(List<PredictionLog.Entry> entries) {
    if (!accepting) {
      throw new ServiceUnavailableException("the prediction record is not accepting writes (starting or stopping)");
    }
    CompletableFuture<Void> written = durability == Durability.COMMIT ? new CompletableFuture<>() : null;
    synchronized (queue) { // all entries of a batch request or none
      if (queued.get() + entries.size() > capacity) {
        throw new ServiceUnavailableException("the prediction record is falling behind; retry shortly");
      }
      queued.addAndGet(entries.size());
      queue.add(new Pending(List.copyOf(entries), written));
    }
    if (written != null) {
      long start = System.nanoTime();
      try {
        written.get(COMMIT_WAIT_SECONDS, TimeUnit.SECONDS);
      } catch (ExecutionException | TimeoutException e) {
        throw new ServiceUnavailableException("the prediction could not be recorded; it was not acknowledged");
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new ServiceUnavailableException("interrupted while recording the prediction");
      } finally {
        // failed and timed-out waits too: a stalled database must show in the commit-wait alert, not vanish from it
        commitWait.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
      }
    }
  }

  private void drain() {
    List<Pending> batch = new ArrayList<>(batchSize);
    while (running || !queue.isEmpty()) {
      try {
        Pending first = queue.poll(200, TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        batch.add(first);
        int size = first.entries().size();
        Pending next;
        while (size < batchSize && (next = queue.poll()) != null) {
          batch.add(next); // whole requests only: a batch may end up to one request above batchSize
          size += next.entries().size();
        }
        try {
          writeWithRetry(batch);
        } finally {
          queued.addAndGet(-size);
        }
        batch.clear();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** Retries a failed batch (e.g. a database restart) while the queue fills and turns new requests away. */
  private void writeWithRetry(List<Pending> batch) throws InterruptedException {
    for (int attempt = 1;; attempt++) {
      try {
        predictionLog.write(batch.stream().flatMap(p -> p.entries().stream()).toList());
        batch.forEach(p -> {
          if (p.written() != null) {
            p.written().complete(null);
          }
        });
        return;
      } catch (RuntimeException e) {
        // the message names the failure, never the rows' content
        log.error("Cannot write {} requests' predictions to the record (attempt {}): {}", batch.size(), attempt,
            e.getClass().getSimpleName());
        if (attempt >= 3) {
          batch.forEach(p -> {
            if (p.written() != null) {
              p.written().completeExceptionally(e);
            }
          });
          if (!running) {
            return;
          }
        }
        Thread.sleep(Math.min(5000, 200L * attempt));
        if (attempt >= 3 && batch.stream().allMatch(p -> p.written() != null)) {
          return; // every request of this batch was answered 503, nothing acknowledged is lost
        }
      }
    }
  }

  @Override
  public void start() {
    running = true;
    accepting = true;
    for (int i = 0; i < WRITERS; i++) {
      Thread writer = new Thread(this::drain, "prediction-record-writer-" + i);
      writers.add(writer);
      writer.start();
    }
  }

  @Override
  public void stop() {
    accepting = false;
    running = false;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    try {
      for (Thread writer : writers) {
        writer.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    writers.clear();
    if (!queue.isEmpty()) {
      log.error("{} predictions could not be written before shutdown", queued.get());
    }
  }

  @Override
  public boolean isRunning() { return running; }

  /** Below the web server's graceful shutdown phase: stops after the last request has been answered. */
  @Override
  public int getPhase() { return SmartLifecycle.DEFAULT_PHASE - 4096; }
}
