package dev.virft.demo;

import dev.virft.data.Sample;
import dev.virft.model.QwenVLModel;
import dev.virft.processor.ChatTemplate;
import dev.virft.processor.ImageProcessor;
import dev.virft.processor.QwenTokenizer;
import dev.virft.rl.AdamW;
import dev.virft.rl.GradientClipping;
import dev.virft.rl.LinearSchedule;
import dev.virft.rl.MetricsLog;
import dev.virft.rl.QwenPolicy;
import dev.virft.rl.QwenPrompt;
import dev.virft.rl.QwenPromptEncoder;
import dev.virft.rl.TensorData;
import dev.virft.tensor.Device;
import dev.virft.util.AtomicFiles;
import dev.virft.util.Json;
import dev.virft.util.VirftException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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
 * It makes the demo's SFT baseline and the shipped base checkpoint; written with the trainer's pieces
 * (prompt encoder, policy log-probs, AdamW, schedule, clipping), so prompts and log-probs are exactly
 * those GRPO uses.
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
      QwenPromptEncoder enc =
          new QwenPromptEncoder(tok, ChatTemplate.fromCheckpoint(base), ImageProcessor.fromCheckpoint(base), 0);
      QwenPolicy policy = new QwenPolicy(model);
      LinkedHashMap<String, Tensor> params = policy.trainableParameters();
      AdamW opt = new AdamW(params, AdamW.Hyper.defaults(0.0));
      LinearSchedule schedule = new LinearSchedule(lr, Math.max(1, steps / 10), steps);
      Random order = new Random(seed);
      List<Integer> perm = new ArrayList<>();
      int next = 0;
      long t0 = System.nanoTime();
      for (int step = 0; step < steps; step++) {
        double lossSum = 0;
        int tokens = 0;
        opt.zeroGrad();
        model.zeroGrad();
        for (int b = 0; b < batch; b++) {
          if (next == perm.size()) {
            perm.clear();
            for (int i = 0; i < rows.size(); i++) perm.add(i);
            java.util.Collections.shuffle(perm, order);
            next = 0;
          }
          Sample s = rows.get(perm.get(next++));
          try (PointerScope scope = new PointerScope()) {
            QwenPrompt p = enc.encode(s);
            long[] answer = tok.encode(s.solution());
            long[] target1 = java.util.Arrays.copyOf(answer, answer.length + 1);
            target1[answer.length] = tok.eosId();
            Tensor ids = TensorData.longs(target1, 1, target1.length);
            Tensor logp = policy.completionLogProbs(p, ids);
            // Mean over this row's tokens, then mean over the batch (the trainer's per-sequence rule).
            Tensor loss = logp.mean().neg().div(dev.virft.tensor.Tensors.scalar((double) batch));
            loss.backward();
            lossSum += loss.item().toDouble();
            tokens += target1.length;
          }
        }
        double gradNorm = GradientClipping.clip(params.values(), 1.0);
        double rate = schedule.lr(step);
        opt.step(rate);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("step", step + 1);
        m.put("loss", lossSum);
        m.put("grad_norm", gradNorm);
        m.put("learning_rate", rate);
        m.put("tokens", tokens);
        m.put("elapsed", (System.nanoTime() - t0) / 1e9);
        metrics.add(m);
        if (log != null && ((step + 1) % 10 == 0 || step + 1 == steps)) {
          log.printf(Locale.ROOT, "  sft step %d/%d  loss %.4f  %.1f s%n", step + 1, steps, lossSum, (System.nanoTime() - t0) / 1e9);
        }
      }
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

  static void ensureDir(Path dir) {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new VirftException(dir + ": cannot create directory: " + e.getMessage(), e);
    }
  }
}
