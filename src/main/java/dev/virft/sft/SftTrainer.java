package dev.virft.sft;

import dev.virft.rl.AdamW;
import dev.virft.rl.Checkpoints;
import dev.virft.rl.DataCursor;
import dev.virft.rl.GradientClipping;
import dev.virft.rl.HtmlReport;
import dev.virft.rl.LinearSchedule;
import dev.virft.rl.MetricsLog;
import dev.virft.rl.PolicyModel;
import dev.virft.rl.ProgressBar;
import dev.virft.rl.TensorData;
import dev.virft.rl.TrainerState;
import dev.virft.util.VirftException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;

/**
 * Supervised fine-tuning: cross-entropy on the answer tokens only (the prompt, image tokens included,
 * is context, not target). Per optimizer step, {@code batch x accumulation} examples; the loss is the
 * token mean within each micro-batch divided by the accumulation steps, as HF Trainer does. Same
 * checkpoints, metrics, report and exact resume as {@code virft train}.
 */
public final class SftTrainer<E, P> {
  private final SftOptions o;
  private final List<E> data;
  private final SftTask<E, P> task;
  private final PolicyModel<P> model;
  private final PrintStream log;

  public SftTrainer(SftOptions o, List<E> data, SftTask<E, P> task, PolicyModel<P> model, PrintStream log) {
    if (data.size() < o.examplesPerStep()) {
      throw new VirftException(
          "dataset has " + data.size() + " examples, fewer than one optimizer step needs ("
              + o.perDeviceTrainBatchSize + " x " + o.gradientAccumulationSteps + ")");
    }
    this.o = o;
    this.data = data;
    this.task = task;
    this.model = model;
    this.log = log;
  }

  public TrainerState train(Path resumeFrom) {
    LinkedHashMap<String, Tensor> params = model.trainableParameters();
    AdamW opt = new AdamW(params, AdamW.Hyper.defaults(o.weightDecay));
    TrainerState st;
    if (resumeFrom != null) {
      st = TrainerState.read(resumeFrom.resolve(TrainerState.FILE));
      Checkpoints.loadOptimizer(resumeFrom, opt, st.optimizerSteps);
    } else {
      st = new TrainerState();
      st.seed = o.seed;
    }
    st.trainer = "sft";
    st.maxSteps = o.totalSteps(data.size());
    LinearSchedule schedule =
        new LinearSchedule(
            o.learningRate, LinearSchedule.warmupSteps(st.maxSteps, o.warmupSteps, o.warmupRatio), st.maxSteps);
    DataCursor cursor = new DataCursor(data.size(), st.seed, o.shuffle, st.epoch, st.indexInEpoch);
    MetricsLog metrics = new MetricsLog(o.outputDir, st.logHistory);
    ProgressBar bar = o.progressBar ? new ProgressBar(log, st.globalStep, st.maxSteps) : null;
    List<Map<String, Object>> window = new ArrayList<>();
    long lastSaved = st.globalStep;
    while (st.globalStep < st.maxSteps) {
      long stepBefore = st.globalStep;
      long optBefore = opt.stepCount();
      try { // body not re-indented, to keep the diff small
      long t0 = System.nanoTime();
      opt.zeroGrad();
      double loss = 0;
      long tokens = 0;
      for (int micro = 0; micro < o.gradientAccumulationSteps; micro++) {
        int[] idx = cursor.next(o.perDeviceTrainBatchSize);
        List<P> prompts = new ArrayList<>();
        List<long[]> answers = new ArrayList<>();
        long microTokens = 0;
        for (int i : idx) {
          // Encoded outside the PointerScope: encoders may hand back tensors owned by the GC.
          prompts.add(task.encode(data.get(i)));
          long[] a = task.answerIds(data.get(i));
          answers.add(a);
          microTokens += a.length;
        }
        try (PointerScope scope = new PointerScope()) {
          for (int k = 0; k < idx.length; k++) {
            long[] a = answers.get(k);
            Tensor logps = model.completionLogProbs(prompts.get(k), TensorData.longs(a, 1, a.length));
            // token mean over the micro-batch, averaged over accumulation steps
            Tensor l = logps.sum().neg().div(new Scalar((double) microTokens * o.gradientAccumulationSteps));
            l.backward();
            loss += l.item_double();
          }
        }
        tokens += microTokens;
      }
      double gradNorm = GradientClipping.clip(params.values(), o.maxGradNorm);
      double lr = schedule.lr(st.globalStep);
      boolean finite = Double.isFinite(loss) && Double.isFinite(gradNorm);
      if (finite) {
        opt.step(lr);
        model.afterOptimizerStep();
        st.optimizerSteps = opt.stepCount();
      } else {
        st.skippedSteps++;
        log.printf(Locale.ROOT, "%nwarning: step %d skipped: non-finite loss or gradient (loss %s, grad norm %s)%n",
            st.globalStep + 1, loss, gradNorm);
      }
      opt.zeroGrad();
      st.globalStep++;
      double seconds = (System.nanoTime() - t0) / 1e9;
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("loss", loss);
      row.put("grad_norm", gradNorm);
      row.put("learning_rate", lr);
      row.put("answer_tokens", (double) tokens);
      row.put("step_time", seconds);
      row.put("tokens_per_second", tokens / Math.max(1e-9, seconds));
      row.put("skipped", finite ? 0.0 : 1.0);
      window.add(row);
      if (st.globalStep % o.loggingSteps == 0 || st.globalStep >= st.maxSteps) {
        Map<String, Object> avg = new LinkedHashMap<>();
        for (String k : window.get(0).keySet()) {
          double s = 0;
          for (Map<String, Object> r : window) {
            s += ((Number) r.get(k)).doubleValue();
          }
          avg.put(k, s / window.size());
        }
        avg.put("step", st.globalStep);
        avg.put("epoch", cursor.epochProgress());
        metrics.append(avg);
        window.clear();
      }
      if (bar != null) {
        bar.update(st.globalStep, "loss", loss);
      }
      st.epoch = cursor.epoch();
      st.indexInEpoch = cursor.index();
      if (st.globalStep % o.saveSteps == 0 || st.globalStep >= st.maxSteps) {
        save(st, opt);
        lastSaved = st.globalStep;
      }
      } catch (RuntimeException | Error e) {
        // Saves the last completed step unless the failed one already changed the weights.
        boolean unchanged = opt.stepCount() == optBefore;
        if (unchanged) {
          st.globalStep = stepBefore;
        }
        Checkpoints.saveBeforeFailing(e, unchanged, stepBefore, lastSaved, () -> save(st, opt), log);
        throw e;
      }
    }
    if (bar != null) {
      bar.finish();
    }
    return st;
  }

  private void save(TrainerState st, AdamW opt) {
    Checkpoints.write(o.outputDir, st, model, o.baseModelDir, o.saveOnlyModel ? null : opt, o.stopTokenIds, o.padTokenId);
    HtmlReport.write(o.outputDir, "virft SFT run: " + o.outputDir.getFileName(), st.logHistory,
        List.of("loss", "grad_norm", "learning_rate"));
  }
}
