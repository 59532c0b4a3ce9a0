package dev.virft.sft;

import dev.virft.rl.PolicyModel;
import dev.virft.model.LossLogProbs;
import dev.virft.tensor.Tensors;
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
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;

/**
 * Supervised fine-tuning: cross-entropy on the answer tokens only (the prompt, image tokens included,
 * is context, not target). Per optimizer step, {@code batch x accumulation} examples per rank; the loss
 * is the token mean within each (global) micro-batch divided by the accumulation steps, as HF Trainer
 * does. Run by the shared {@link TrainingLoop}: same checkpoints, metrics, report and exact resume as
 * {@code virft train}.
 */
public final class SftTrainer<E, P> implements Objective<SftTrainer.Batch> {
  private final SftOptions o;
  private final List<E> data;
  private final SftTask<E, P> task;
  private final PolicyModel<P> model;
  private final PrintStream log;
  private Distributed dist = Distributed.SINGLE;
  private Zero zero = Zero.NONE;
  private long bucketElements = Zero.DEFAULT_BUCKET_ELEMENTS;

  /** One step's micro-batches: this rank's examples of each and the global micro-batch's answer tokens. */
  public record Batch(List<int[]> mine, long[] microTokens) {}

  public SftTrainer(SftOptions o, List<E> data, SftTask<E, P> task, PolicyModel<P> model, PrintStream log) {
    this.o = o;
    this.data = data;
    this.task = task;
    this.model = model;
    this.log = log;
  }

  /** Runs as one rank of a process group (see {@code GrpoTrainer.distributed}). */
  public SftTrainer<E, P> distributed(Distributed d, Zero zero, long bucketElements) {
    this.dist = d;
    this.zero = zero;
    this.bucketElements = bucketElements;
    return this;
  }

  public TrainerState train(Path resumeFrom) {
    o.requireOneStep(data.size(), dist);
    TrainingLoop.Settings s = o.loopSettings(zero, bucketElements);
    TrainCheckpoint.Saving saving =
        new TrainCheckpoint.Saving(model, o.baseModelDir, o.stopTokenIds, o.padTokenId, o.saveOnlyModel,
            "virft SFT run: " + (o.outputDir == null ? "" : o.outputDir.getFileName()),
            List.of("loss", "grad_norm", "learning_rate"));
    return new TrainingLoop<>(s, this, data.size(), model.trainableParameters(), model::afterOptimizerStep,
        saving, dist, log).run(resumeFrom);
  }

  @Override
  public String name() {
    return "sft";
  }

  @Override
  public long totalSteps(int datasetSize) {
    if (o.maxSteps > 0) {
      return o.maxSteps;
    }
    return (long) Math.ceil(o.numTrainEpochs * Math.max(1, datasetSize / (o.examplesPerStep() * dist.worldSize())));
  }

  @Override
  public Batch prepare(StepData step, long round) {
    List<int[]> mine = new ArrayList<>();
    long[] tokens = new long[o.gradientAccumulationSteps];
    for (int micro = 0; micro < o.gradientAccumulationSteps; micro++) {
      int[] global = step.next(o.perDeviceTrainBatchSize);
      mine.add(step.mine(global));
      // The normaliser is the global micro-batch's token count: every rank knows all its answers.
      for (int i : global) {
        tokens[micro] += task.answerIds(data.get(i)).length;
      }
    }
    return new Batch(mine, tokens);
  }

  @Override
  public StepLoss backward(Batch b, int iteration, long globalStep) {
    double loss = 0;
    for (int micro = 0; micro < b.mine().size(); micro++) {
      int[] idx = b.mine().get(micro);
      List<P> prompts = new ArrayList<>();
      List<long[]> answers = new ArrayList<>();
      for (int i : idx) {
        // Encoded outside the PointerScope: encoders may hand back tensors owned by the GC.
        prompts.add(task.encode(data.get(i)));
        answers.add(task.answerIds(data.get(i)));
      }
      try (PointerScope scope = new PointerScope()) {
        for (int k = 0; k < idx.length; k++) {
          long[] a = answers.get(k);
          LossLogProbs logps = model.completionLogProbsForLoss(prompts.get(k), Tensors.longs(a, 1, a.length));
          // token mean over the micro-batch, averaged over accumulation steps
          Tensor l = logps.logps().sum().neg()
              .div(new Scalar((double) b.microTokens()[micro] * o.gradientAccumulationSteps));
          logps.backward(l);
          loss += l.item_double();
        }
      }
    }
    return new StepLoss(dist.sum(loss), Map.of());
  }

  @Override
  public Map<String, Object> row(Batch b, StepLoss loss, StepOutcome out) {
    long tokens = 0;
    for (long t : b.microTokens()) {
      tokens += t;
    }
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("loss", loss.loss());
    row.put("grad_norm", out.gradNorm());
    row.put("learning_rate", out.learningRate());
    row.put("answer_tokens", (double) tokens);
    row.put("step_time", out.stepSeconds());
    row.put("tokens_per_second", tokens / Math.max(1e-9, out.stepSeconds()));
    row.put("skipped", out.applied() ? 0.0 : 1.0);
    return row;
  }

}
