package dev.virft.train;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import org.bytedeco.pytorch.Tensor;

/**
 * The one training loop of virft (HF {@code Trainer._inner_training_loop}): resume, linear schedule,
 * gradient accumulation (inside the objective's backward), gradient reduction over ranks, clipping,
 * skipping non-finite steps, AdamW (replicated or ZeRO-sharded), metrics, progress bar and
 * checkpoints. GRPO, SFT and the demo's SFT are {@link Objective}s run by it.
 *
 * <p>A round makes one batch with {@link Objective#prepare} and takes
 * {@link Objective#iterationsPerBatch} optimizer steps on it; the data position is saved with the
 * round, and checkpoints are written at round boundaries, so a resumed run continues exactly.
 */
public final class TrainingLoop<R> {
  /** Settings shared by every objective. */
  public static final class Settings {
    /** metrics.jsonl and checkpoints go here; null writes neither (benchmark, demo). */
    public Path outputDir;
    public long saveSteps = 100;
    public long loggingSteps = 1;
    public double learningRate = 1e-6;
    public long warmupSteps;
    public double warmupRatio;
    public double weightDecay;
    public double maxGradNorm = 1.0;
    public long seed = 42;
    public boolean shuffle = true;
    public boolean progressBar;
    public Zero zero = Zero.NONE;
    public long bucketElements = Zero.DEFAULT_BUCKET_ELEMENTS;
  }

  private final Settings s;
  private final Objective<R> objective;
  private final int datasetSize;
  private final LinkedHashMap<String, Tensor> params;
  private final Runnable afterOptimizerStep;
  private final TrainCheckpoint.Saving saving;
  private final Distributed dist;
  private final PrintStream log;
  private Consumer<Map<String, Object>> stepListener = row -> {};

  /**
   * @param params the float32 master parameters to optimise, in a stable order
   * @param afterOptimizerStep run after every applied step (e.g. refreshing a bf16 compute copy)
   * @param saving what checkpoints hold; null writes none
   */
  public TrainingLoop(
      Settings settings,
      Objective<R> objective,
      int datasetSize,
      LinkedHashMap<String, Tensor> params,
      Runnable afterOptimizerStep,
      TrainCheckpoint.Saving saving,
      Distributed dist,
      PrintStream log) {
    this.s = settings;
    this.objective = objective;
    this.datasetSize = datasetSize;
    this.params = params;
    this.afterOptimizerStep = afterOptimizerStep;
    this.saving = saving;
    this.dist = dist;
    this.log = log;
  }

  /** Receives every optimizer step's metrics row (on every rank), e.g. for a benchmark. */
  public TrainingLoop<R> onStep(Consumer<Map<String, Object>> listener) {
    this.stepListener = listener;
    return this;
  }

  /** Trains to the end; {@code resumeFrom} is a checkpoint directory or null. Returns the final state. */
  public TrainerState run(Path resumeFrom) {
    TrainOptimizer opt = s.zero.optimizer(params, AdamW.Hyper.defaults(s.weightDecay), dist, s.bucketElements);
    TrainerState st;
    if (resumeFrom != null) {
      st = TrainerState.read(resumeFrom.resolve(TrainerState.FILE));
      TrainCheckpoint.load(resumeFrom, opt, st.optimizerSteps, dist);
      if (st.seed != s.seed && dist.isMain()) {
        log.println("warning: --seed " + s.seed + " ignored; resuming with the checkpoint's seed " + st.seed);
      }
    } else {
      st = new TrainerState();
      st.seed = s.seed;
    }
    st.trainer = objective.name();
    st.maxSteps = objective.totalSteps(datasetSize);
    LinearSchedule schedule =
        new LinearSchedule(
            s.learningRate, LinearSchedule.warmupSteps(st.maxSteps, s.warmupSteps, s.warmupRatio), st.maxSteps);
    DataCursor cursor = new DataCursor(datasetSize, st.seed, s.shuffle, st.epoch, st.indexInEpoch);
    StepData data = new StepData(cursor, dist, st.seed);
    MetricsLog metrics = s.outputDir != null && dist.isMain() ? new MetricsLog(s.outputDir, st.logHistory) : null;
    ProgressBar bar = s.progressBar && dist.isMain() ? new ProgressBar(log, st.globalStep, st.maxSteps) : null;
    List<Map<String, Object>> window = new ArrayList<>();
    int iterations = objective.iterationsPerBatch();
    long lastSaved = st.globalStep;
    while (st.globalStep < st.maxSteps) {
      long stepBefore = st.globalStep;
      long optBefore = opt.stepCount();
      try {
        round(st, opt, data, cursor, schedule, metrics, bar, window, iterations);
      } catch (RuntimeException | Error e) {
        // A failed round (a row that does not decode, a native error) first saves the last completed
        // step, when the failure left the weights untouched. Not across ranks: a save is collective
        // and the other ranks are not here to take part.
        if (saving != null && s.outputDir != null && !dist.isDistributed()) {
          boolean consistent = st.globalStep == stepBefore && opt.stepCount() == optBefore;
          Checkpoints.saveBeforeFailing(e, consistent, stepBefore, lastSaved,
              () -> TrainCheckpoint.write(s.outputDir, st, saving, opt, dist), log);
        }
        throw e;
      }
      st.epoch = cursor.epoch();
      st.indexInEpoch = cursor.index();
      boolean crossedSave = st.globalStep / s.saveSteps != stepBefore / s.saveSteps;
      if (saving != null && s.outputDir != null && (crossedSave || st.globalStep >= st.maxSteps)) {
        TrainCheckpoint.write(s.outputDir, st, saving, opt, dist);
        lastSaved = st.globalStep;
      }
    }
    if (bar != null) {
      bar.finish();
    }
    return st;
  }

  private void round(TrainerState st, TrainOptimizer opt, StepData data, DataCursor cursor,
      LinearSchedule schedule, MetricsLog metrics, ProgressBar bar, List<Map<String, Object>> window,
      int iterations) {
    {
      long t0 = System.nanoTime();
      R batch = objective.prepare(data, st.globalStep / iterations);
      for (int it = 0; it < iterations && st.globalStep < st.maxSteps; it++) {
        long tIter = System.nanoTime();
        opt.zeroGrad();
        Objective.StepLoss loss = objective.backward(batch, it, st.globalStep);
        double backwardSeconds = (System.nanoTime() - tIter) / 1e9;
        long tOpt = System.nanoTime();
        double gradNorm = opt.reduceAndClip(s.maxGradNorm);
        double lr = schedule.lr(st.globalStep);
        boolean finite = Double.isFinite(loss.loss()) && Double.isFinite(gradNorm);
        if (finite) {
          opt.step(lr);
          afterOptimizerStep.run();
          st.optimizerSteps = opt.stepCount();
        } else {
          st.skippedSteps++;
          if (dist.isMain()) {
            log.printf(
                Locale.ROOT,
                "%nwarning: step %d skipped: non-finite %s (loss %s, grad norm %s); %d step(s) skipped so far%n",
                st.globalStep + 1, Double.isFinite(loss.loss()) ? "gradient" : "loss", loss.loss(), gradNorm,
                st.skippedSteps);
          }
        }
        opt.zeroGrad();
        double optSeconds = (System.nanoTime() - tOpt) / 1e9;
        st.globalStep++;
        double stepSeconds = (System.nanoTime() - (it == 0 ? t0 : tIter)) / 1e9;
        Map<String, Object> row = objective.row(batch, loss,
            new Objective.StepOutcome(gradNorm, lr, finite, optSeconds, backwardSeconds, stepSeconds));
        stepListener.accept(row);
        window.add(row);
        if (st.globalStep % s.loggingSteps == 0 || st.globalStep >= st.maxSteps) {
          Map<String, Object> avg = average(window);
          avg.put("step", st.globalStep);
          avg.put("epoch", cursor.epochProgress());
          if (metrics != null) {
            metrics.append(avg);
          } else {
            st.logHistory.add(avg);
          }
          window.clear();
        }
        if (bar != null) {
          bar.update(st.globalStep, objective.progressLabel(), objective.progressValue(batch, loss));
        }
      }
    }
  }

  private static Map<String, Object> average(List<Map<String, Object>> rows) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (String k : rows.get(0).keySet()) {
      double sum = 0;
      for (Map<String, Object> r : rows) {
        sum += ((Number) r.get(k)).doubleValue();
      }
      out.put(k, sum / rows.size());
    }
    return out;
  }
}
