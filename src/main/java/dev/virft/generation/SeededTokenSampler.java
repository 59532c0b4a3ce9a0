package dev.virft.generation;

import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.GeneratorOptional;
import org.bytedeco.pytorch.LongOptional;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * Chooses each row's next token from its {@link Candidates}: greedy (argmax), or a draw from the
 * softmax by inverse CDF with one uniform number per row. The uniforms come from one CPU generator per
 * prompt, seeded with that prompt's seed, which draws one number for every sample of its prompt at
 * every step, finished or dropped rows included: so a prompt's samples depend only on its seed, not
 * on which other prompts share the batch or which rows stopped early, and not on the device.
 */
public final class SeededTokenSampler {
  private final boolean doSample;
  private final int samplesPerPrompt;
  private final Generator[] generators;

  private SeededTokenSampler(boolean doSample, long[] promptSeeds, int samplesPerPrompt) {
    this.doSample = doSample;
    this.samplesPerPrompt = samplesPerPrompt;
    this.generators = new Generator[doSample ? promptSeeds.length : 0];
    for (int p = 0; p < generators.length; p++) {
      generators[p] = torch.createCPUGenerator(promptSeeds[p]);
    }
  }

  public static SeededTokenSampler greedy() {
    return new SeededTokenSampler(false, new long[0], 1);
  }

  /** Sampling; rows are prompt-major ({@code samplesPerPrompt} consecutive rows per prompt). */
  public static SeededTokenSampler sampling(long[] promptSeeds, int samplesPerPrompt) {
    return new SeededTokenSampler(true, promptSeeds, samplesPerPrompt);
  }

  public boolean doSample() {
    return doSample;
  }

  /**
   * Token ids [rows] for the current rows; {@code rowIds} [rows] (int64) are their indices among all
   * prompts x samples rows, or null while no row has been dropped.
   */
  public Tensor choose(Candidates c, Tensor rowIds) {
    Tensor scores = c.scores();
    if (!doSample) {
      return c.tokenIds(scores.argmax(new LongOptional(-1), false));
    }
    Tensor u = uniforms().to(scores.device(), scores.scalar_type());
    if (rowIds != null) {
      u = u.index_select(0, rowIds);
    }
    Tensor cum = scores.softmax(-1).cumsum(-1);
    long width = cum.size(-1);
    // The first column whose cumulative mass exceeds u * total: it has positive mass, since the
    // cumulative sums only grow at such columns and u < 1.
    Tensor threshold = u.unsqueeze(1).mul(cum.narrow(-1, width - 1, 1));
    Tensor column = cum.le(threshold).sum(new long[] {-1}, false, new org.bytedeco.pytorch.ScalarTypeOptional(torch.ScalarType.Long))
        .clamp_max(new Scalar(width - 1));
    return c.tokenIds(column);
  }

  private Tensor uniforms() {
    TensorVector parts = new TensorVector();
    for (Generator g : generators) {
      parts.push_back(torch.empty(samplesPerPrompt).uniform_(0.0, 1.0, new GeneratorOptional(g)));
    }
    return generators.length == 1 ? parts.get(0) : torch.cat(parts, 0);
  }
}
