package dev.virft.demo;

import dev.virft.data.Sample;
import dev.virft.model.QwenVLModel;
import dev.virft.processor.ChatTemplate;
import dev.virft.processor.ImageProcessor;
import dev.virft.processor.ProcessorOutput;
import dev.virft.processor.QwenTokenizer;
import dev.virft.processor.QwenVLProcessor;
import dev.virft.train.MetricsLog;
import dev.virft.train.Distributed;
import dev.virft.train.Objective;
import dev.virft.train.StepData;
import dev.virft.train.TrainingLoop;
import dev.virft.tensor.Device;
import dev.virft.tensor.StateDict;
import dev.virft.tensor.Tensors;
import dev.virft.util.AtomicFiles;
import dev.virft.util.Json;
import dev.virft.util.VirftException;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;

/**
 * Supervised fine-tuning for the demo: cross-entropy on the solution tokens (and the stop token) given
 * the training prompt, AdamW with linear decay and gradient clipping 1.0, rows drawn in a seeded order.
 * It makes the shipped base checkpoint from random weights (which {@code virft sft} cannot start from:
 * it loads a checkpoint), in batches for speed; written with the trainer's pieces
 * (the model's batched log-probs, AdamW, schedule, clipping); prompts are the training prompts GRPO
 * uses (chat template, image then problem). Rows of a step go through the model as one left-padded
 * batch.
 */
public final class DemoSft {
  static final List<String> CHECKPOINT_FILES =
      List.of(
          "tokenizer.json",
          "tokenizer_config.json",
          "generation_config.json",
          "preprocessor_config.json");

  private DemoSft() {}

  /**
   * Trains {@code steps} optimizer steps of {@code batch} rows from {@code base} (a checkpoint, or a
   * directory with config + tokenizer files and no weights: random init with {@code seed}); writes the
   * model with the base's tokenizer/processor files to {@code outDir/final} and the loss per step to
   * {@code outDir/metrics.jsonl}. Returns the checkpoint directory.
   */
  public static Path train(
      Path base, List<Sample> rows, Path outDir, int steps, double lr, int batch, long seed, PrintStream log) {
    boolean hasWeights =
        Files.isRegularFile(base.resolve("model.safetensors"))
            || Files.isRegularFile(base.resolve("model.safetensors.index.json"));
    List<Map<String, Object>> metrics = new ArrayList<>();
    Path target = outDir.resolve("final");
    ensureDir(outDir);
    try (QwenTokenizer tok = QwenTokenizer.fromCheckpoint(base);
        QwenVLModel model =
            hasWeights
                ? QwenVLModel.load(base, Device.CPU)
                : QwenVLModel.randomInit(dev.virft.model.QwenVLConfig.read(base), Device.CPU, seed)) {
      ChatTemplate template = ChatTemplate.fromCheckpoint(base);
      ImageProcessor images = ImageProcessor.fromCheckpoint(base);
      LinkedHashMap<String, Tensor> params = new LinkedHashMap<>();
      StateDict sd = model.parameters();
      for (String name : sd.names()) {
        if (sd.get(name).requires_grad()) params.put(name, sd.get(name));
      }
      Batches objective = new Batches(rows, batch, steps, seed, tok, template, images, model);
      TrainingLoop.Settings settings = new TrainingLoop.Settings();
      settings.learningRate = lr;
      settings.warmupSteps = Math.max(1, steps / 10);
      settings.maxGradNorm = 1.0;
      settings.seed = seed;
      long t0 = System.nanoTime();
      new TrainingLoop<>(settings, objective, rows.size(), params, () -> {}, null, Distributed.SINGLE,
              log != null ? log : new PrintStream(java.io.OutputStream.nullOutputStream()))
          .onStep(m -> {
            m.put("elapsed", (System.nanoTime() - t0) / 1e9);
            metrics.add(m);
            int step = ((Number) m.get("step")).intValue();
            if (log != null && (step % 10 == 0 || step == steps)) {
              log.printf(Locale.ROOT, "  sft step %d/%d  loss %.4f  %.1f s%n", step, steps,
                  ((Number) m.get("loss")).doubleValue(), (System.nanoTime() - t0) / 1e9);
            }
          })
          .run(null);
      AtomicFiles.writeDirectory(
          target,
          dir -> {
            model.save(dir);
            for (String f : CHECKPOINT_FILES) {
              if (Files.isRegularFile(base.resolve(f))) Files.copy(base.resolve(f), dir.resolve(f));
            }
          });
    }
    StringBuilder jsonl = new StringBuilder();
    for (Map<String, Object> m : metrics) jsonl.append(Json.line(m)).append('\n');
    AtomicFiles.writeString(outDir.resolve(MetricsLog.FILE), jsonl.toString());
    return target;
  }

  /**
   * The demo's SFT objective: rows drawn in a seeded order that runs on across epochs (no row dropped),
   * each step's rows through the model as one left-padded batch; loss = mean over rows of each row's
   * token mean (the trainer's per-sequence rule).
   */
  private static final class Batches implements Objective<Batches.Step> {
    record Step(long index, List<Sample> chosen) {}

    private final List<Sample> rows;
    private final int batch;
    private final int steps;
    private final Random order;
    private final List<Integer> perm = new ArrayList<>();
    private int next;
    private final QwenTokenizer tok;
    private final ChatTemplate template;
    private final ImageProcessor images;
    private final QwenVLModel model;
    private int tokens;

    Batches(List<Sample> rows, int batch, int steps, long seed, QwenTokenizer tok, ChatTemplate template,
        ImageProcessor images, QwenVLModel model) {
      this.rows = rows;
      this.batch = batch;
      this.steps = steps;
      this.order = new Random(seed);
      this.tok = tok;
      this.template = template;
      this.images = images;
      this.model = model;
    }

    @Override
    public String name() {
      return "sft";
    }

    @Override
    public long totalSteps(int datasetSize) {
      return steps;
    }

    @Override
    public Step prepare(StepData data, long round) {
      List<Sample> chosen = new ArrayList<>();
      while (chosen.size() < batch) {
        if (next == perm.size()) {
          perm.clear();
          for (int i = 0; i < rows.size(); i++) perm.add(i);
          Collections.shuffle(perm, order);
          next = 0;
        }
        chosen.add(rows.get(perm.get(next++)));
      }
      return new Step(round, chosen);
    }

    @Override
    public StepLoss backward(Step step, int iteration, long globalStep) {
      List<Sample> chosen = step.chosen();
      tokens = 0;
      try (PointerScope scope = new PointerScope()) {
        List<List<Map<String, Object>>> chats = new ArrayList<>();
        List<List<BufferedImage>> decoded = new ArrayList<>();
        List<long[]> targets = new ArrayList<>();
        for (int i = 0; i < chosen.size(); i++) {
          chats.add(List.of(QwenVLProcessor.userTurn(chosen.get(i).problem(), true)));
          decoded.add(List.of(chosen.get(i).image().decode()));
          long[] answer = tok.encode(chosen.get(i).solution());
          long[] t = Arrays.copyOf(answer, answer.length + 1);
          t[answer.length] = tok.eosId();
          targets.add(t);
          tokens += t.length;
        }
        ProcessorOutput in = new QwenVLProcessor(tok, template, images, tok.padId()).applyChat(chats, decoded);
        long[][] promptIds = Tensors.toLongs2d(in.inputIds());
        long[][] promptMask = Tensors.toLongs2d(in.attentionMask());
        int promptLen = in.length();
        int maxT = targets.stream().mapToInt(t -> t.length).max().orElse(0);
        long[][] ids = new long[batch][promptLen + maxT];
        long[][] mask = new long[batch][promptLen + maxT];
        float[] weights = new float[batch * maxT];
        for (int i = 0; i < batch; i++) {
          long[] t = targets.get(i);
          Arrays.fill(ids[i], tok.padId());
          System.arraycopy(promptIds[i], 0, ids[i], 0, promptLen);
          System.arraycopy(promptMask[i], 0, mask[i], 0, promptLen);
          System.arraycopy(t, 0, ids[i], promptLen, t.length);
          Arrays.fill(mask[i], promptLen, promptLen + t.length, 1L);
          // Mean over each row's tokens, then mean over the rows (the trainer's per-sequence rule).
          for (int j = 0; j < t.length; j++) weights[i * maxT + j] = 1f / (t.length * (float) batch);
        }
        Tensor logp =
            model.completionLogProbs(
                Tensors.longs2d(ids), Tensors.longs2d(mask), in.pixelValues(), in.imageGridThw(), promptLen);
        Tensor loss = logp.mul(Tensors.floats(weights, batch, maxT)).sum().neg();
        loss.backward();
        return new StepLoss(loss.item().toDouble(), Map.of());
      }
    }

    @Override
    public Map<String, Object> row(Step step, StepLoss loss, StepOutcome out) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("step", step.index() + 1);
      m.put("loss", loss.loss());
      m.put("grad_norm", out.gradNorm());
      m.put("learning_rate", out.learningRate());
      m.put("tokens", tokens);
      return m;
    }
  }

  static void ensureDir(Path dir) {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new VirftException(dir + ": cannot create directory: " + e.getMessage(), e);
    }
  }
}
