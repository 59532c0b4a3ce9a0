package dev.virft.generation;

import dev.virft.tensor.Tensors;
import dev.virft.util.VirftException;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * transformers' {@code GenerationMixin.generate} for any model that can open a {@link PrefillSession}:
 * builds the logits processors, warpers, sampler and stopping criteria from the config, prefills each
 * prompt once (alone, without its padding: its samples share prompt and prefill), and decodes all rows
 * together with the {@link DecodeLoop}.
 */
public final class Generation {
  /** Opens a session of {@code rows} rows for prompts of at most {@code longest} real tokens. */
  @FunctionalInterface
  public interface SessionFactory {
    PrefillSession open(int rows, int longest, int maxNewTokens);
  }

  private static final ThreadLocal<DecodeLoop.Stats> LAST_STATS = new ThreadLocal<>();

  private Generation() {}

  /** The decode loop's statistics of this thread's last generate call (for {@code virft bench generate}). */
  public static DecodeLoop.Stats lastDecodeStats() {
    return LAST_STATS.get();
  }

  /**
   * @param ids [prompts][len] left-padded prompt ids; {@code mask} [prompts][len] (1 = real token)
   * @param promptSeeds one seed per prompt: prompt p samples from a generator seeded with it
   * @param checkEvery steps between the host's reads of the finished rows
   * @param lengthsOut [prompts * numReturnSequences], filled with each row's length
   * @return tokens [rows][T], rows prompt-major, pad after a row's stop token
   */
  public static long[][] generate(SessionFactory model, long[][] ids, long[][] mask, GenerationParams gen,
      long[] promptSeeds, int checkEvery, int[] lengthsOut) {
    try (NoGradGuard ng = new NoGradGuard()) {
      int prompts = ids.length;
      int len = prompts == 0 ? 0 : ids[0].length;
      int n = gen.numReturnSequences();
      int rows = prompts * n;
      int maxNew = gen.maxNewTokens();
      if (promptSeeds.length != prompts) {
        throw new IllegalArgumentException(promptSeeds.length + " seeds for " + prompts + " prompts");
      }
      if (maxNew == 0) {
        return new long[rows][0];
      }
      long[][] real = new long[prompts][];
      int longest = 0;
      for (int p = 0; p < prompts; p++) {
        real[p] = realTokens(ids[p], mask[p]);
        if (real[p].length == 0) {
          throw new VirftException("generate: prompt " + p + " has no tokens (its attention mask is all 0)");
        }
        longest = Math.max(longest, real[p].length);
      }
      List<LogitsProcessor> processors = new ArrayList<>();
      if (gen.repetitionPenalty() != 1.0) {
        processors.add(new RepetitionPenaltyLogitsProcessor(gen.repetitionPenalty()));
      }
      SuppressTokensLogitsProcessor suppress = gen.suppressTokenIds().length == 0 ? null
          : new SuppressTokensLogitsProcessor(gen.suppressTokenIds());
      if (suppress != null) {
        processors.add(suppress);
      }
      List<LogitsWarper> warpers = List.of(
          new TopKLogitsWarper(gen.topK()),
          new TemperatureLogitsWarper(gen.temperature()),
          new TopPLogitsWarper(gen.topP()));
      SeededTokenSampler sampler = gen.doSample()
          ? SeededTokenSampler.sampling(promptSeeds, n)
          : SeededTokenSampler.greedy();
      try (EosTokenCriteria eos = new EosTokenCriteria(gen.stopTokenIds());
          PointerScope outer = new PointerScope();
          PrefillSession session = model.open(rows, longest, maxNew)) {
        Tensor[] firstLogits = new Tensor[prompts];
        for (int p = 0; p < prompts; p++) {
          Tensor logits = session.prefill(p, real[p], p * n, n);
          firstLogits[p] = n == 1 ? logits : logits.expand(n, logits.size(-1));
        }
        Tensor first = Tensors.cat(0, firstLogits).contiguous();
        Tensor history = null;
        if (!processors.isEmpty() && gen.repetitionPenalty() != 1.0) {
          long[] hist = new long[rows * (len + maxNew)];
          for (int r = 0; r < rows; r++) {
            System.arraycopy(ids[r / n], 0, hist, r * (len + maxNew), len);
          }
          history = Tensors.longs(hist, rows, len + maxNew).to(first.device(), torch.ScalarType.Long);
        }
        session.start();
        DecodeLoop loop = new DecodeLoop(processors, warpers, sampler, eos,
            gen.padTokenId(), maxNew, checkEvery, true);
        long[][] tokens = loop.run(session, first, history, len, lengthsOut);
        LAST_STATS.set(loop.stats());
        return tokens;
      } finally {
        if (suppress != null) {
          suppress.close();
        }
      }
    }
  }

  /** The ids whose mask is 1, in order: the prompt without its padding. */
  private static long[] realTokens(long[] ids, long[] mask) {
    int count = 0;
    for (long m : mask) {
      count += m == 1 ? 1 : 0;
    }
    long[] out = new long[count];
    for (int j = 0, k = 0; j < ids.length; j++) {
      if (mask[j] == 1) {
        out[k++] = ids[j];
      }
    }
    return out;
  }
}
