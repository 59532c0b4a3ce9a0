package dev.virft.cli;

import dev.virft.tools.ModelPresets;
import dev.virft.model.GenerationConfig;
import dev.virft.model.GenerationOutput;
import dev.virft.model.KVCache;
import dev.virft.model.QwenVLModel;
import dev.virft.tensor.Device;
import dev.virft.tensor.Tensors;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.Callable;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code virft bench generate}: tokens/s of batched generation with the KV cache, and native memory
 * across a long run of decode steps (each in its own PointerScope; the cache is the only state).
 */
@Command(
    name = "generate",
    mixinStandardHelpOptions = true,
    description = "Tokens/s of batched KV-cache generation, and native memory before/after N decode steps.")
public final class BenchGenerateCommand implements Callable<Integer> {
  @Option(names = "--checkpoint", defaultValue = "src/test/resources/golden/qwen2_vl/checkpoint",
      description = "Checkpoint directory (default: the Qwen2-VL test fixture, ${DEFAULT-VALUE}).")
  Path checkpoint;

  @Option(names = "--model", description = "Random weights of a preset architecture (tiny, qwen2-vl-2b) or of a "
      + "config.json path, instead of --checkpoint.")
  String modelPreset;

  @Option(names = "--device", defaultValue = "cpu", description = "cpu, cuda or auto.")
  String device;

  @Option(names = "--batch", defaultValue = "8", description = "Prompts per batch.")
  int batch;

  @Option(names = "--prompt-len", defaultValue = "64", description = "Longest prompt (others are shorter, left padded).")
  int promptLen;

  @Option(names = "--new-tokens", defaultValue = "128", description = "Tokens generated per row in the throughput runs.")
  int newTokens;

  @Option(names = "--runs", defaultValue = "3", description = "Timed generate() calls (after one warm-up).")
  int runs;

  @Option(names = "--decode-steps", defaultValue = "1000", description = "Measured decode steps of the memory run.")
  int decodeSteps;

  @Option(names = "--warmup-steps", defaultValue = "100",
      description = "Decode steps before the memory baseline (JIT, thread pools, allocator warm-up).")
  int warmupSteps;

  @Option(names = "--seed", defaultValue = "0")
  long seed;

  @Option(names = {"--num-return-sequences", "--num_generations"}, defaultValue = "1",
      description = "Samples per prompt (GRPO's G): one prefill per prompt, its cache copied to each sample's row.")
  int numReturn;

  @Option(names = "--sample", description = "Sample (temperature 1, top-k 50, as GRPO's rollouts) instead of greedy.")
  boolean sample;

  @Override
  public Integer call() {
    Device dev = Device.parse(device);
    try (QwenVLModel model = modelPreset == null ? QwenVLModel.load(checkpoint, dev)
        : QwenVLModel.randomInit(ModelPresets.resolve(modelPreset), dev, seed)) {
      int vocab = model.config().text().vocabSize();
      Random rnd = new Random(seed);
      long[][] ids = new long[batch][promptLen];
      long[][] mask = new long[batch][promptLen];
      for (int b = 0; b < batch; b++) {
        int len = promptLen - (b * promptLen / (2 * Math.max(1, batch))); // lengths from L down to ~L/2
        for (int j = 0; j < promptLen; j++) {
          boolean real = j >= promptLen - len;
          mask[b][j] = real ? 1 : 0;
          ids[b][j] = real ? 1 + rnd.nextInt(Math.min(vocab, 500) - 1) : 0;
        }
      }
      Tensor idsT = Tensors.longs2d(ids);
      Tensor maskT = Tensors.longs2d(mask);
      System.out.printf("model %s (%s), device %s, %d cores; batch %d, prompt <= %d tokens%n",
          modelPreset == null ? checkpoint : "random " + modelPreset, model.config().modelType(), dev, Runtime.getRuntime().availableProcessors(), batch,
          promptLen);

      GenerationConfig gen = sample
          ? GenerationConfig.sampling(newTokens, 1.0, 50, 1.0, new long[0], 0, numReturn, seed)
          : GenerationConfig.greedy(newTokens, new long[0], 0).withNumReturnSequences(numReturn);
      model.generate(idsT, maskT, null, null, gen); // warm-up
      var st = QwenVLModel.lastDecodeStats();
      int layers = model.config().text().numHiddenLayers();
      System.out.printf("ops per decode step (native ops that returned a tensor, views included): %d in the model's "
          + "forward (%.1f per layer over %d layers, head and embedding included), %d in the whole step "
          + "(with logits processors, sampling and bookkeeping); host reads of finished rows: every %s steps%n",
          st.modelTensorsPerStep(), st.modelTensorsPerStep() / (double) layers, layers, st.tensorsPerStep(),
          "4 (none without stop ids)");
      double[] tps = new double[runs];
      for (int r = 0; r < runs; r++) {
        long t0 = System.nanoTime();
        GenerationOutput out = model.generate(idsT, maskT, null, null, gen);
        double s = (System.nanoTime() - t0) / 1e9;
        long tokens = Arrays.stream(out.lengths()).sum();
        tps[r] = tokens / s;
        System.out.printf("run %d: %d tokens in %.3f s = %.1f tokens/s (prefill + %d decode steps)%n",
            r + 1, tokens, s, tps[r], newTokens - 1);
        if (r == 0) {
          System.out.printf("  %s%n", QwenVLModel.lastDecodeStats());
        }
      }
      Arrays.sort(tps);
      System.out.printf("generate: median %.1f tokens/s (%d prompts x %d samples x %d new tokens, %s, KV cache)%n",
          tps[runs / 2], batch, numReturn, newTokens, sample ? "sampled, top-k 50" : "greedy");

      memoryRun(model, dev, ids, mask);
      loopMemoryRun(model, idsT, maskT, gen);
    }
    return 0;
  }

  /** The same check through generate() itself: native memory over its own decode loop's steps. */
  private void loopMemoryRun(QwenVLModel model, Tensor idsT, Tensor maskT, GenerationConfig gen) {
    int total = warmupSteps + decodeSteps;
    long[] rss = new long[2];
    long[] t = new long[2];
    dev.virft.generation.DecodeLoop.STEP_PROBE.set(step -> {
      if (step == warmupSteps) {
        System.gc();
        rss[0] = Pointer.physicalBytes();
        t[0] = System.nanoTime();
      } else if (step > warmupSteps && (step - warmupSteps) % 250 == 0) {
        System.out.printf("  after %4d measured steps: RSS %.1f MiB%n", step - warmupSteps, Pointer.physicalBytes() / 1048576.0);
      }
      if (step == total) {
        t[1] = System.nanoTime();
        System.gc();
        rss[1] = Pointer.physicalBytes();
      }
    });
    try {
      GenerationOutput out = model.generate(idsT, maskT, null, null, gen.withMaxNewTokens(total));
      long rows = out.lengths().length;
      System.out.printf("generate() memory run: %d warm-up + %d measured steps of its decode loop (%d rows, no stop ids)%n",
          warmupSteps, decodeSteps, rows);
      System.out.printf("  physical (RSS) at step %d: %.1f MiB, at step %d: %.1f MiB (%+.1f MiB); %.1f tokens/s over them%n",
          warmupSteps, rss[0] / 1048576.0, total, rss[1] / 1048576.0, (rss[1] - rss[0]) / 1048576.0,
          rows * (double) decodeSteps / ((t[1] - t[0]) / 1e9));
    } finally {
      dev.virft.generation.DecodeLoop.STEP_PROBE.remove();
    }
  }

  /** Prefill once, then decode steps one by one; native memory must stay flat after the first few. */
  private void memoryRun(QwenVLModel model, Device dev, long[][] ids, long[][] mask) {
    int len = ids[0].length;
    int total = warmupSteps + decodeSteps;
    int capacity = len + total + 1;
    long[][] full = new long[batch][capacity];
    for (int b = 0; b < batch; b++) {
      System.arraycopy(mask[b], 0, full[b], 0, len);
      Arrays.fill(full[b], len, capacity, 1L);
    }
    long[] next = new long[batch];
    long rssBefore = 0;
    long trackedBefore = 0;
    long heapBefore = 0;
    int measuredAt = warmupSteps;
    long t0 = 0;
    try (NoGradGuard ng = new NoGradGuard();
        KVCache cache = new KVCache(model.config(), batch, capacity, dev)) {
      try (PointerScope scope = new PointerScope()) {
        Tensor logits = model.forwardWithImageEmbeds(Tensors.longs2d(ids), Tensors.longs2d(prefix(full, len)),
            null, null, cache);
        next = argmax(logits.select(1, len - 1));
      }
      for (int step = 1; step <= total; step++) {
        if (step == measuredAt) {
          System.gc();
          rssBefore = Pointer.physicalBytes();
          heapBefore = Runtime.getRuntime().totalMemory();
          trackedBefore = Pointer.totalBytes();
          t0 = System.nanoTime();
        }
        if (step > measuredAt && ((step - measuredAt) % 250 == 0)) {
          System.out.printf("  after %4d measured steps: RSS %.1f MiB%n", step - measuredAt,
              Pointer.physicalBytes() / 1048576.0);
        }
        try (PointerScope scope = new PointerScope()) {
          long[][] col = new long[batch][1];
          for (int b = 0; b < batch; b++) {
            col[b][0] = next[b];
          }
          Tensor logits = model.forwardWithImageEmbeds(Tensors.longs2d(col),
              Tensors.longs2d(prefix(full, len + step)), null, null, cache);
          next = argmax(logits.select(1, 0));
        }
      }
      double s = (System.nanoTime() - t0) / 1e9;
      System.gc();
      long rssAfter = Pointer.physicalBytes();
      long trackedAfter = Pointer.totalBytes();
      long heapAfter = Runtime.getRuntime().totalMemory();
      int measured = decodeSteps;
      System.out.printf("memory run: %d warm-up + %d measured decode steps (batch %d, KV cache of %d positions "
          + "preallocated)%n", warmupSteps, decodeSteps, batch, capacity);
      System.out.printf("  physical (RSS) before: %.1f MiB, after %d steps: %.1f MiB (%+.1f MiB)%n",
          rssBefore / 1048576.0, decodeSteps, rssAfter / 1048576.0, (rssAfter - rssBefore) / 1048576.0);
      System.out.printf("  of which JVM heap (committed): %.1f MiB -> %.1f MiB%n", heapBefore / 1048576.0,
          heapAfter / 1048576.0);
      System.out.printf("  JavaCPP-tracked native bytes: %d -> %d (%+d)%n", trackedBefore, trackedAfter,
          trackedAfter - trackedBefore);
      System.out.printf("  decode: %.1f tokens/s over the last %d steps (context %d -> %d)%n",
          (double) batch * measured / s, measured, len + measuredAt, len + total);
    }
  }

  private static long[] argmax(Tensor logits) {
    return Tensors.toLongs(logits.argmax(new org.bytedeco.pytorch.LongOptional(-1), false));
  }

  private static long[][] prefix(long[][] m, int cols) {
    long[][] o = new long[m.length][];
    for (int i = 0; i < m.length; i++) {
      o[i] = Arrays.copyOf(m[i], cols);
    }
    return o;
  }
}
