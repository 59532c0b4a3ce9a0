package dev.virft.rl;

import dev.virft.util.VirftException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;

/**
 * The GRPO loop of Visual-RFT's {@code Qwen2VLGRPOTrainer} (spec §4.2), generalised by TRL's later
 * options. One <em>round</em> takes {@code per_device_train_batch_size x gradient_accumulation_steps}
 * prompts, samples G completions of each, scores them, and then takes {@code num_iterations}
 * optimizer steps on those rollouts (1 in the original: a single on-policy step).
 *
 * <p>Every random draw is seeded from (seed, round, slot), the data order from (seed, epoch), and the
 * trainer state records the position, so a run resumed from a checkpoint continues exactly.
 * Checkpoints are written at round boundaries.
 */
public final class GrpoTrainer<E, P> {
  private final GrpoOptions o;
  private final List<E> data;
  private final RolloutTask<E, P> task;
  private final PolicyModel<P> policy;
  private final PolicyModel<P> reference;
  private final PrintStream log;

  /**
   * One prompt's rollouts within a round, kept as host arrays: native tensors live only inside the
   * PointerScope of one phase (generation, or one forward/backward), so nothing leaks between steps.
   */
  private final class Group {
    E example;
    int rows;
    int cols;
    long[] ids;
    float[] mask;
    float[] advantages;
    float[] refLogps;
    float[] oldLogps;
    long tokens;

    Tensor ids() {
      return TensorData.longs(ids, rows, cols);
    }

    Tensor floats(float[] v) {
      return v == null ? null : TensorData.floats(v, rows, cols);
    }
  }

  /**
   * @param reference frozen copy of the initial policy; must be null exactly when beta is 0 (no
   *     reference model is built then)
   * @param log where warnings and the progress bar go (stderr in the CLI)
   */
  public GrpoTrainer(
      GrpoOptions options,
      List<E> data,
      RolloutTask<E, P> task,
      PolicyModel<P> policy,
      PolicyModel<P> reference,
      PrintStream log) {
    options.validate();
    if ((options.beta == 0) != (reference == null)) {
      throw new IllegalArgumentException("a reference model is needed iff beta > 0");
    }
    if (data.size() < options.promptsPerStep()) {
      throw new VirftException(
          "dataset has " + data.size() + " examples, fewer than one optimizer step needs ("
              + options.perDeviceTrainBatchSize + " x " + options.gradientAccumulationSteps + ")");
    }
    this.o = options;
    this.data = data;
    this.task = task;
    this.policy = policy;
    this.reference = reference;
    this.log = log;
  }

  /** Trains to the end; {@code resumeFrom} is a checkpoint directory or null. Returns the final state. */
  public TrainerState train(Path resumeFrom) {
    LinkedHashMap<String, Tensor> params = policy.trainableParameters();
    AdamW opt = new AdamW(params, AdamW.Hyper.defaults(o.weightDecay));
    TrainerState st;
    if (resumeFrom != null) {
      st = TrainerState.read(resumeFrom.resolve(TrainerState.FILE));
      Checkpoints.loadOptimizer(resumeFrom, opt, st.optimizerSteps);
      if (st.seed != o.seed) {
        log.println("warning: --seed " + o.seed + " ignored; resuming with the checkpoint's seed " + st.seed);
      }
    } else {
      st = new TrainerState();
      st.seed = o.seed;
    }
    st.trainer = "grpo";
    st.maxSteps = o.totalSteps(data.size());
    LinearSchedule schedule =
        new LinearSchedule(
            o.learningRate,
            LinearSchedule.warmupSteps(st.maxSteps, o.warmupSteps, o.warmupRatio),
            st.maxSteps);
    DataCursor cursor = new DataCursor(data.size(), st.seed, o.shuffle, st.epoch, st.indexInEpoch);
    MetricsLog metrics = new MetricsLog(o.outputDir, st.logHistory);
    GrpoLoss.Config lossCfg =
        new GrpoLoss.Config(o.loss, o.beta, o.epsilon, o.epsilonHighOrDefault(), o.maxCompletionLength);
    ProgressBar bar = o.progressBar ? new ProgressBar(log, st.globalStep, st.maxSteps) : null;
    List<Map<String, Object>> window = new ArrayList<>();
    try (CompletionLog completions = o.logCompletions ? new CompletionLog(o.outputDir, st.globalStep) : null) {
      long lastSaved = st.globalStep;
      while (st.globalStep < st.maxSteps) {
        long stepBefore = st.globalStep;
        long optBefore = opt.stepCount();
        try {
          round(st, cursor, opt, params, schedule, lossCfg, metrics, window, completions, bar);
        } catch (RuntimeException | Error e) {
          Checkpoints.saveBeforeFailing(e, opt.stepCount() == optBefore && st.globalStep == stepBefore,
              stepBefore, lastSaved, () -> save(st, opt), log);
          throw e;
        }
        st.epoch = cursor.epoch();
        st.indexInEpoch = cursor.index();
        boolean crossedSave = st.globalStep / o.saveSteps != stepBefore / o.saveSteps;
        if (crossedSave || st.globalStep >= st.maxSteps) {
          save(st, opt);
          lastSaved = st.globalStep;
        }
      }
    }
    if (bar != null) {
      bar.finish();
    }
    return st;
  }

  private void save(TrainerState st, AdamW opt) {
    Checkpoints.write(
        o.outputDir, st, policy, o.baseModelDir, o.saveOnlyModel ? null : opt, o.stopTokenIds, o.padTokenId);
    HtmlReport.write(
        o.outputDir,
        "virft GRPO run: " + o.outputDir.getFileName(),
        st.logHistory,
        List.of("reward", "kl", "completion_length", "loss", "reward_std", "clipped_ratio", "grad_norm"));
  }

  private void round(
      TrainerState st,
      DataCursor cursor,
      AdamW opt,
      LinkedHashMap<String, Tensor> params,
      LinearSchedule schedule,
      GrpoLoss.Config lossCfg,
      MetricsLog metrics,
      List<Map<String, Object>> window,
      CompletionLog completions,
      ProgressBar bar) {
    long t0 = System.nanoTime();
    long roundIndex = st.globalStep / o.numIterations;
    int g = o.numGenerations;
    int[] idx = cursor.next(o.promptsPerStep());
    List<String> names = task.rewardNames();
    double[] total = new double[idx.length * g];
    double[][] perFunc = new double[names.size()][idx.length * g];
    int[] lengths = new int[idx.length * g];
    int truncated = 0;
    long generated = 0;
    List<Group> groups = new ArrayList<>();
    List<String[]> texts = new ArrayList<>();
    double refSeconds = 0;
    double genSeconds;
    try (NoGradGuard ng = new NoGradGuard(); PointerScope scope = new PointerScope()) {
      List<P> prompts = new ArrayList<>();
      for (int i = 0; i < idx.length; i++) {
        Group grp = new Group();
        grp.example = data.get(idx[i]);
        P prompt = task.encode(grp.example);
        prompts.add(prompt);
        Tensor ids = policy.generate(prompt, g, o.sampling(), Seeds.of(st.seed, roundIndex, i));
        grp.rows = g;
        grp.cols = (int) ids.size(1);
        grp.ids = TensorData.toLongs(ids);
        int cols = grp.cols;
        String[] t = new String[g];
        for (int k = 0; k < g; k++) {
          int len = CompletionMask.lengthOf(grp.ids, k * cols, cols, o.stopTokenIds);
          boolean trunc = CompletionMask.truncated(grp.ids, k * cols, cols, o.stopTokenIds);
          truncated += trunc ? 1 : 0;
          lengths[i * g + k] = len;
          generated += len;
          grp.tokens += len;
          long[] row = new long[len];
          System.arraycopy(grp.ids, k * cols, row, 0, len);
          t[k] = task.decode(row);
          double[] r = task.rewards(grp.example, t[k]);
          for (int f = 0; f < r.length; f++) {
            perFunc[f][i * g + k] = r[f];
          }
          total[i * g + k] = task.total(r);
        }
        grp.mask = CompletionMask.ofRows(grp.ids, g, cols, o.stopTokenIds);
        groups.add(grp);
        texts.add(t);
      }
      genSeconds = (System.nanoTime() - t0) / 1e9;
      long tRef = System.nanoTime();
      for (int i = 0; i < groups.size(); i++) {
        Group grp = groups.get(i);
        // Each pass in its own scope: its activations are freed as soon as the log-probs are copied out,
        // not at the end of the rollout (on a GPU they would otherwise pile up across groups).
        if (reference != null) {
          try (PointerScope pass = new PointerScope()) {
            grp.refLogps = TensorData.toFloats(reference.completionLogProbs(prompts.get(i), grp.ids()));
          }
        }
        if (o.numIterations > 1) {
          try (PointerScope pass = new PointerScope()) {
            grp.oldLogps = TensorData.toFloats(policy.completionLogProbs(prompts.get(i), grp.ids()));
          }
        }
      }
      refSeconds = (System.nanoTime() - tRef) / 1e9;
    }
    double[] adv = GroupAdvantages.compute(total, g, o.loss.scalesAdvantagesByStd());
    long stepTokens = 0;
    for (int i = 0; i < groups.size(); i++) {
      float[] a = new float[g];
      for (int k = 0; k < g; k++) {
        a[k] = (float) adv[i * g + k];
      }
      groups.get(i).advantages = a;
      stepTokens += groups.get(i).tokens;
    }
    warnIfUseless(st.globalStep + 1, truncated, total, g);
    if (completions != null) {
      for (int i = 0; i < groups.size(); i++) {
        for (int k = 0; k < g; k++) {
          Map<String, Object> rec = new LinkedHashMap<>();
          rec.put("step", st.globalStep + 1);
          rec.put("prompt", task.promptText(groups.get(i).example));
          rec.put("completion", texts.get(i)[k]);
          rec.putAll(task.logFields(groups.get(i).example, texts.get(i)[k]));
          Map<String, Object> rs = new LinkedHashMap<>();
          for (int f = 0; f < names.size(); f++) {
            rs.put(names.get(f), perFunc[f][i * g + k]);
          }
          rec.put("rewards", rs);
          rec.put("reward", total[i * g + k]);
          rec.put("advantage", adv[i * g + k]);
          rec.put("completion_length", lengths[i * g + k]);
          completions.write(rec);
        }
      }
      completions.flush();
    }
    Map<String, Object> rollout = new LinkedHashMap<>();
    rollout.put("reward", mean(total));
    for (int f = 0; f < names.size(); f++) {
      rollout.put("rewards/" + names.get(f), mean(perFunc[f]));
    }
    rollout.put("reward_std", mean(GroupAdvantages.groupStd(total, g)));
    rollout.put("frac_reward_zero_std", (double) GroupAdvantages.zeroSpreadGroups(total, g) / groups.size());
    rollout.put("completion_length", mean(lengths));
    rollout.put("clipped_ratio", (double) truncated / total.length);
    rollout.put("tokens_per_second", generated / Math.max(1e-9, genSeconds));
    rollout.put("time/generate", genSeconds);
    rollout.put("time/reference", refSeconds);

    for (int it = 0; it < o.numIterations && st.globalStep < st.maxSteps; it++) {
      long tPol = System.nanoTime();
      opt.zeroGrad();
      double loss = 0;
      double kl = 0;
      double clip = 0;
      for (Group grp : groups) {
        // One scope per group: the forward's tensors are freed after its backward, not after the step.
        try (PointerScope scope = new PointerScope()) {
          // The prompt is encoded again rather than kept: its tensors belong to the generation scope.
          P prompt = task.encode(grp.example);
          Tensor logps = policy.completionLogProbs(prompt, grp.ids());
          GrpoLoss.Result r =
              GrpoLoss.compute(
                  logps,
                  grp.floats(grp.oldLogps),
                  grp.floats(grp.refLogps),
                  grp.floats(grp.mask),
                  TensorData.floats(grp.advantages, grp.rows),
                  lossCfg);
          double w = GrpoLoss.microBatchWeight(o.loss, groups.size(), grp.tokens, stepTokens);
          r.loss().mul(new Scalar(w)).backward();
          loss += w * r.loss().item_double();
          kl += r.meanKl() / groups.size();
          clip += r.clipRatio() / groups.size();
        }
      }
      double polSeconds = (System.nanoTime() - tPol) / 1e9;
      long tOpt = System.nanoTime();
      double gradNorm = GradientClipping.clip(params.values(), o.maxGradNorm);
      double lr = schedule.lr(st.globalStep);
      boolean finite = Double.isFinite(loss) && Double.isFinite(gradNorm);
      if (finite) {
        opt.step(lr);
        policy.afterOptimizerStep();
        st.optimizerSteps = opt.stepCount();
      } else {
        st.skippedSteps++;
        log.printf(
            Locale.ROOT,
            "%nwarning: step %d skipped: non-finite %s (loss %s, grad norm %s); %d step(s) skipped so far%n",
            st.globalStep + 1, Double.isFinite(loss) ? "gradient" : "loss", loss, gradNorm, st.skippedSteps);
      }
      opt.zeroGrad();
      double optSeconds = (System.nanoTime() - tOpt) / 1e9;
      st.globalStep++;
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("loss", loss);
      row.putAll(rollout);
      row.put("kl", kl);
      if (o.numIterations > 1) {
        row.put("clip_ratio", clip);
      }
      row.put("grad_norm", gradNorm);
      row.put("learning_rate", lr);
      row.put("skipped", finite ? 0.0 : 1.0);
      row.put("time/policy", polSeconds);
      row.put("time/optimizer", optSeconds);
      row.put("step_time", (System.nanoTime() - (it == 0 ? t0 : tPol)) / 1e9);
      window.add(row);
      if (st.globalStep % o.loggingSteps == 0 || st.globalStep >= st.maxSteps) {
        Map<String, Object> avg = average(window);
        avg.put("step", st.globalStep);
        avg.put("epoch", cursor.epochProgress());
        metrics.append(avg);
        window.clear();
      }
      if (bar != null) {
        bar.update(st.globalStep, "reward", (double) rollout.get("reward"));
      }
    }
  }

  private void warnIfUseless(long step, int truncated, double[] rewards, int g) {
    int n = rewards.length;
    if (truncated * 2 > n) {
      log.printf(
          Locale.ROOT,
          "%nwarning: step %d: %d of %d completions hit max_completion_length=%d without a stop token "
              + "(truncated answers usually score 0); consider raising --max_completion_length%n",
          step, truncated, n, o.maxCompletionLength);
    }
    int flat = GroupAdvantages.zeroSpreadGroups(rewards, g);
    if (flat == n / g) {
      log.printf(
          Locale.ROOT,
          "%nwarning: step %d: all %d groups have zero reward spread (every completion of a prompt scored "
              + "the same), so all advantages are 0 and this step has no learning signal%n",
          step, flat);
    }
  }

  private static Map<String, Object> average(List<Map<String, Object>> rows) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (String k : rows.get(0).keySet()) {
      double s = 0;
      for (Map<String, Object> r : rows) {
        s += ((Number) r.get(k)).doubleValue();
      }
      out.put(k, s / rows.size());
    }
    return out;
  }

  private static double mean(double[] v) {
    double s = 0;
    for (double x : v) {
      s += x;
    }
    return s / v.length;
  }

  private static double mean(int[] v) {
    double s = 0;
    for (int x : v) {
      s += x;
    }
    return s / v.length;
  }
}
