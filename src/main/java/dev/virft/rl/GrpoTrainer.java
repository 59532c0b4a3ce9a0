package dev.virft.rl;

import dev.virft.tensor.Tensors;
import dev.virft.model.LossLogProbs;
import dev.virft.train.TrainerState;
import dev.virft.train.Distributed;
import dev.virft.train.Objective;
import dev.virft.train.StepData;
import dev.virft.train.TrainCheckpoint;
import dev.virft.train.TrainingLoop;
import dev.virft.train.Zero;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;

/**
 * The GRPO objective of Visual-RFT's {@code Qwen2VLGRPOTrainer} (spec §4.2), generalised by TRL's later
 * options, run by the shared {@link TrainingLoop}. One <em>round</em> takes
 * {@code per_device_train_batch_size x gradient_accumulation_steps} prompts per rank, samples G
 * completions of each, scores them into a {@link Rollout} ({@link #generateAndScore}), and then takes
 * {@code num_iterations} optimizer steps on its loss ({@link #backward}; 1 in the original).
 *
 * <p>Every random draw is seeded from (seed, round, slot), where the slot is the prompt's index in the
 * round's global batch, so a run's samples do not depend on how prompts are split over ranks; the data
 * order comes from (seed, epoch), and the trainer state records the position, so a run resumed from a
 * checkpoint continues exactly.
 */
public final class GrpoTrainer<E, P> implements Objective<Rollout<E>> {
  private final GrpoOptions o;
  private final List<E> data;
  private final RolloutTask<E, P> task;
  private final PolicyModel<P> policy;
  private final PolicyModel<P> reference;
  private final PrintStream log;
  private final GrpoLoss.Config lossCfg;
  private Distributed dist = Distributed.SINGLE;
  private Zero zero = Zero.NONE;
  private long bucketElements = Zero.DEFAULT_BUCKET_ELEMENTS;
  private Consumer<Map<String, Object>> stepListener = r -> {};
  private CompletionLog completions;

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
    this.o = options;
    this.data = data;
    this.task = task;
    this.policy = policy;
    this.reference = reference;
    this.log = log;
    this.lossCfg =
        new GrpoLoss.Config(o.loss, o.beta, o.epsilon, o.epsilonHighOrDefault(), o.maxCompletionLength);
  }

  /**
   * Runs as one rank of a process group (data parallel), with the optimizer state replicated or
   * sharded ({@code zero}) and gradients reduced in buckets of {@code bucketElements}; the default is
   * one process.
   */
  public GrpoTrainer<E, P> distributed(Distributed d, Zero zero, long bucketElements) {
    this.dist = d;
    this.zero = zero;
    this.bucketElements = bucketElements;
    return this;
  }

  /** Receives every optimizer step's metrics row (the benchmark reads its phase times). */
  public GrpoTrainer<E, P> onStep(Consumer<Map<String, Object>> listener) {
    this.stepListener = listener;
    return this;
  }

  /** Trains to the end; {@code resumeFrom} is a checkpoint directory or null. Returns the final state. */
  public TrainerState train(Path resumeFrom) {
    o.requireOneStep(data.size(), dist);
    TrainingLoop.Settings s = o.loopSettings(zero, bucketElements);
    TrainCheckpoint.Saving saving =
        new TrainCheckpoint.Saving(policy, o.baseModelDir, o.stopTokenIds, o.padTokenId, o.saveOnlyModel,
            "virft GRPO run: " + (o.outputDir == null ? "" : o.outputDir.getFileName()),
            List.of("reward", "kl", "completion_length", "loss", "reward_std", "clipped_ratio", "grad_norm"));
    TrainingLoop<Rollout<E>> loop =
        new TrainingLoop<>(s, this, data.size(), policy.trainableParameters(), policy::afterOptimizerStep,
            saving, dist, log).onStep(stepListener);
    try (CompletionLog c =
        o.logCompletions && dist.isMain() && o.outputDir != null ? openCompletions(resumeFrom) : null) {
      completions = c;
      return loop.run(resumeFrom);
    } finally {
      completions = null;
    }
  }

  private CompletionLog openCompletions(Path resumeFrom) {
    long step = resumeFrom == null ? 0 : TrainerState.read(resumeFrom.resolve(TrainerState.FILE)).globalStep;
    return new CompletionLog(o.outputDir, step);
  }

  @Override
  public String name() {
    return "grpo";
  }

  @Override
  public long totalSteps(int datasetSize) {
    if (o.maxSteps > 0) {
      return o.maxSteps;
    }
    long roundsPerEpoch = Math.max(1, datasetSize / (o.promptsPerStep() * dist.worldSize()));
    return (long) Math.ceil(o.numTrainEpochs * roundsPerEpoch) * o.numIterations;
  }

  @Override
  public int iterationsPerBatch() {
    return o.numIterations;
  }

  @Override
  public Rollout<E> prepare(StepData step, long round) {
    return generateAndScore(step, round);
  }

  /**
   * Samples G completions of this rank's prompts of the round, scores them, computes group advantages
   * and the reference (and, with num_iterations > 1, old-policy) log-probs.
   */
  public Rollout<E> generateAndScore(StepData step, long round) {
    long t0 = System.nanoTime();
    int g = o.numGenerations;
    int[] global = step.next(o.promptsPerStep());
    int[] idx = step.mine(global);
    int firstSlot = step.firstSlot(global);
    List<String> names = task.rewardNames();
    double[] total = new double[idx.length * g];
    double[][] perFunc = new double[names.size()][idx.length * g];
    double[] lengths = new double[idx.length * g];
    double truncated = 0;
    long generated = 0;
    List<E> examples = new ArrayList<>();
    List<long[]> ids = new ArrayList<>();
    List<float[]> masks = new ArrayList<>();
    List<long[]> tokens = new ArrayList<>();
    List<Integer> widths = new ArrayList<>();
    List<float[]> refs = new ArrayList<>();
    List<float[]> olds = new ArrayList<>();
    List<String[]> texts = new ArrayList<>();
    double refSeconds;
    double genSeconds;
    try (NoGradGuard ng = new NoGradGuard(); PointerScope scope = new PointerScope()) {
      List<P> prompts = new ArrayList<>();
      for (int i = 0; i < idx.length; i++) {
        E example = data.get(idx[i]);
        examples.add(example);
        P prompt = task.encode(example);
        prompts.add(prompt);
        Tensor out = policy.generate(prompt, g, o.sampling(), Seeds.of(step.seed(), round, firstSlot + i));
        int cols = (int) out.size(1);
        long[] rowIds = Tensors.toLongs(out);
        long groupTokens = 0;
        String[] t = new String[g];
        for (int k = 0; k < g; k++) {
          int len = CompletionMask.lengthOf(rowIds, k * cols, cols, o.stopTokenIds);
          boolean trunc = CompletionMask.truncated(rowIds, k * cols, cols, o.stopTokenIds);
          truncated += trunc ? 1 : 0;
          lengths[i * g + k] = len;
          generated += len;
          groupTokens += len;
          long[] row = new long[len];
          System.arraycopy(rowIds, k * cols, row, 0, len);
          t[k] = task.decode(row);
          double[] r = task.rewards(example, t[k]);
          for (int f = 0; f < r.length; f++) {
            perFunc[f][i * g + k] = r[f];
          }
          total[i * g + k] = task.total(r);
        }
        ids.add(rowIds);
        widths.add(cols);
        masks.add(CompletionMask.ofRows(rowIds, g, cols, o.stopTokenIds));
        tokens.add(new long[] {groupTokens});
        texts.add(t);
      }
      genSeconds = (System.nanoTime() - t0) / 1e9;
      long tRef = System.nanoTime();
      for (int i = 0; i < idx.length; i++) {
        Tensor groupIds = Tensors.longs(ids.get(i), g, widths.get(i));
        // Each pass in its own scope: its activations are freed as soon as the log-probs are copied out,
        // not at the end of the rollout (on a GPU they would otherwise pile up across groups).
        float[] ref = null;
        float[] old = null;
        if (reference != null) {
          try (PointerScope pass = new PointerScope()) {
            ref = Tensors.toFloats(reference.completionLogProbs(prompts.get(i), groupIds));
          }
        }
        if (o.numIterations > 1) {
          try (PointerScope pass = new PointerScope()) {
            old = Tensors.toFloats(policy.completionLogProbs(prompts.get(i), groupIds));
          }
        }
        refs.add(ref);
        olds.add(old);
      }
      refSeconds = (System.nanoTime() - tRef) / 1e9;
    }
    double[] adv = GroupAdvantages.compute(total, g, o.loss.scalesAdvantagesByStd());
    List<Rollout.Group<E>> groups = new ArrayList<>();
    long localTokens = 0;
    for (int i = 0; i < idx.length; i++) {
      float[] a = new float[g];
      for (int k = 0; k < g; k++) {
        a[k] = (float) adv[i * g + k];
      }
      groups.add(new Rollout.Group<>(examples.get(i), g, widths.get(i), ids.get(i), masks.get(i), a,
          refs.get(i), olds.get(i), tokens.get(i)[0]));
      localTokens += tokens.get(i)[0];
    }
    if (completions != null) {
      logCompletions(round, groups, texts, names, perFunc, total, adv, lengths);
    }
    // The global batch's view: every rank's rewards and lengths in slot order (one process: its own).
    double[] allTotal = dist.gather(total);
    double[][] allPerFunc = new double[names.size()][];
    for (int f = 0; f < names.size(); f++) {
      allPerFunc[f] = dist.gather(perFunc[f]);
    }
    double[] allLengths = dist.gather(lengths);
    double[] sums = dist.sum(truncated, generated, localTokens);
    double slowestGen = max(dist.gather(new double[] {genSeconds}));
    double slowestRef = max(dist.gather(new double[] {refSeconds}));
    int globalGroups = global.length;
    warnIfUseless(round, (int) sums[0], allTotal, g);
    Map<String, Object> rollout = new LinkedHashMap<>();
    double reward = mean(allTotal);
    rollout.put("reward", reward);
    for (int f = 0; f < names.size(); f++) {
      rollout.put("rewards/" + names.get(f), mean(allPerFunc[f]));
    }
    rollout.put("reward_std", mean(GroupAdvantages.groupStd(allTotal, g)));
    rollout.put("frac_reward_zero_std", (double) GroupAdvantages.zeroSpreadGroups(allTotal, g) / globalGroups);
    rollout.put("completion_length", mean(allLengths));
    rollout.put("clipped_ratio", sums[0] / allTotal.length);
    rollout.put("tokens_per_second", sums[1] / Math.max(1e-9, slowestGen));
    rollout.put("time/generate", slowestGen);
    rollout.put("time/reference", slowestRef);
    return new Rollout<>(List.copyOf(groups), globalGroups, (long) sums[2], rollout, reward);
  }

  /** This rank's part of the loss of the rollout, backpropagated group by group; returns global sums. */
  @Override
  public StepLoss backward(Rollout<E> r, int iteration, long globalStep) {
    double loss = 0;
    double kl = 0;
    double clip = 0;
    for (Rollout.Group<E> grp : r.groups()) {
      // One scope per group: the forward's tensors are freed after its backward, not after the step.
      try (PointerScope scope = new PointerScope()) {
        // The prompt is encoded again rather than kept: its tensors belong to the generation scope.
        P prompt = task.encode(grp.example());
        LossLogProbs logps = policy.completionLogProbsForLoss(prompt, grp.idsTensor());
        GrpoLoss.Result res =
            GrpoLoss.compute(
                logps.logps(),
                grp.floats(grp.oldLogps()),
                grp.floats(grp.refLogps()),
                grp.floats(grp.mask()),
                Tensors.floats(grp.advantages(), grp.rows()),
                lossCfg);
        double w = GrpoLoss.microBatchWeight(o.loss, r.globalGroups(), grp.tokens(), r.globalTokens());
        logps.backward(res.loss().mul(new Scalar(w)));
        loss += w * res.loss().item_double();
        kl += res.meanKl() / r.globalGroups();
        clip += res.clipRatio() / r.globalGroups();
      }
    }
    double[] s = dist.sum(loss, kl, clip);
    Map<String, Double> extra = new LinkedHashMap<>();
    extra.put("kl", s[1]);
    extra.put("clip_ratio", s[2]);
    return new StepLoss(s[0], extra);
  }

  @Override
  public Map<String, Object> row(Rollout<E> r, StepLoss loss, StepOutcome out) {
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("loss", loss.loss());
    row.putAll(r.metrics());
    row.put("kl", loss.extra().get("kl"));
    if (o.numIterations > 1) {
      row.put("clip_ratio", loss.extra().get("clip_ratio"));
    }
    row.put("grad_norm", out.gradNorm());
    row.put("learning_rate", out.learningRate());
    row.put("skipped", out.applied() ? 0.0 : 1.0);
    row.put("time/policy", out.backwardSeconds());
    row.put("time/optimizer", out.optimizerSeconds());
    row.put("step_time", out.stepSeconds());
    return row;
  }

  @Override
  public String progressLabel() {
    return "reward";
  }

  @Override
  public double progressValue(Rollout<E> r, StepLoss loss) {
    return r.reward();
  }

  private void logCompletions(long round, List<Rollout.Group<E>> groups, List<String[]> texts, List<String> names,
      double[][] perFunc, double[] total, double[] adv, double[] lengths) {
    int g = o.numGenerations;
    long step = round * o.numIterations + 1;
    for (int i = 0; i < groups.size(); i++) {
      for (int k = 0; k < g; k++) {
        Map<String, Object> rec = new LinkedHashMap<>();
        rec.put("step", step);
        rec.put("prompt", task.promptText(groups.get(i).example()));
        rec.put("completion", texts.get(i)[k]);
        rec.putAll(task.logFields(groups.get(i).example(), texts.get(i)[k]));
        Map<String, Object> rs = new LinkedHashMap<>();
        for (int f = 0; f < names.size(); f++) {
          rs.put(names.get(f), perFunc[f][i * g + k]);
        }
        rec.put("rewards", rs);
        rec.put("reward", total[i * g + k]);
        rec.put("advantage", adv[i * g + k]);
        rec.put("completion_length", (int) lengths[i * g + k]);
        completions.write(rec);
      }
    }
    completions.flush();
  }

  private void warnIfUseless(long round, int truncated, double[] rewards, int g) {
    if (!dist.isMain()) {
      return;
    }
    long step = round * o.numIterations + 1;
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

  private static double max(double[] v) {
    double m = Double.NEGATIVE_INFINITY;
    for (double x : v) {
      m = Math.max(m, x);
    }
    return m;
  }

  private static double mean(double[] v) {
    double s = 0;
    for (double x : v) {
      s += x;
    }
    return s / v.length;
  }
}
