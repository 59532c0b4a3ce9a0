package dev.virft.rl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.virft.tensor.Tensors;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.Test;

class GrpoLossTest {
  // Two sequences of three tokens; the first has its stop token at index 1, so its third is masked.
  static final double[][] LOGP = {{-1.0, -2.0, -0.5}, {-0.3, -1.2, -2.0}};
  static final double[][] REF = {{-1.1, -1.8, -0.5}, {-0.5, -1.0, -2.5}};
  static final double[][] MASK = {{1, 1, 0}, {1, 1, 1}};
  static final double[] ADV = {0.5, -1.0};
  static final double BETA = 0.04;

  static double k3(double logp, double ref) {
    double d = ref - logp;
    return Math.exp(d) - d - 1;
  }

  /** Per-token loss of the original with ratio 1: -(A - beta*kl). */
  static double perToken(int b, int t, double beta) {
    return -(ADV[b] - beta * k3(LOGP[b][t], REF[b][t]));
  }

  static Tensor t(double[][] v) {
    double[] flat = new double[v.length * v[0].length];
    for (int i = 0; i < v.length; i++) {
      System.arraycopy(v[i], 0, flat, i * v[0].length, v[0].length);
    }
    return Tensor.create(flat, v.length, v[0].length).clone();
  }

  static GrpoLoss.Result run(LossType type, double beta, Tensor logp) {
    return GrpoLoss.compute(
        logp, null, t(REF), t(MASK), Tensor.create(ADV).clone(), new GrpoLoss.Config(type, beta, 0.2, 0.2, 4));
  }

  @Test
  void grpoIsMeanOverSequencesOfPerSequenceTokenMeans() {
    double row0 = (perToken(0, 0, BETA) + perToken(0, 1, BETA)) / 2;
    double row1 = (perToken(1, 0, BETA) + perToken(1, 1, BETA) + perToken(1, 2, BETA)) / 3;
    GrpoLoss.Result r = run(LossType.GRPO, BETA, t(LOGP));
    assertEquals((row0 + row1) / 2, r.loss().item_double(), 1e-12);
    double kl0 = (k3(-1.0, -1.1) + k3(-2.0, -1.8)) / 2;
    double kl1 = (k3(-0.3, -0.5) + k3(-1.2, -1.0) + k3(-2.0, -2.5)) / 3;
    assertEquals((kl0 + kl1) / 2, r.meanKl(), 1e-12);
    assertEquals(5, r.activeTokens());
  }

  @Test
  void dapoIsTokenMeanAndDrGrpoUsesConstantNormaliser() {
    double sum = 0;
    for (int b = 0; b < 2; b++) {
      for (int t = 0; t < 3; t++) {
        sum += MASK[b][t] * perToken(b, t, BETA);
      }
    }
    assertEquals(sum / 5, run(LossType.DAPO, BETA, t(LOGP)).loss().item_double(), 1e-12);
    assertEquals(sum / (2 * 4), run(LossType.DR_GRPO, BETA, t(LOGP)).loss().item_double(), 1e-12);
  }

  @Test
  void betaZeroDropsTheKlTermAndNeedsNoReference() {
    GrpoLoss.Result r =
        GrpoLoss.compute(
            t(LOGP), null, null, t(MASK), Tensor.create(ADV).clone(),
            new GrpoLoss.Config(LossType.GRPO, 0.0, 0.2, 0.2, 4));
    assertEquals((-0.5 + 1.0) / 2, r.loss().item_double(), 1e-12);
    assertEquals(0.0, r.meanKl(), 0.0);
  }

  @Test
  void gradientWrtLogProbsIsThePolicyGradientPlusKlGradient() {
    Tensor logp = t(LOGP).set_requires_grad(true);
    run(LossType.GRPO, BETA, logp).loss().backward();
    double[] g = Tensors.toDoubles(logp.grad());
    int[] len = {2, 3};
    for (int b = 0; b < 2; b++) {
      for (int k = 0; k < 3; k++) {
        // d/dlogp of -(ratio*A - beta*kl): -A + beta*(1 - exp(ref - logp)), per-sequence mean, batch mean
        double expected =
            MASK[b][k] * (-ADV[b] + BETA * (1 - Math.exp(REF[b][k] - LOGP[b][k]))) / len[b] / 2;
        assertEquals(expected, g[b * 3 + k], 1e-12, "token " + b + "," + k);
      }
    }
  }

  @Test
  void clippingUsesOldLogProbsAndCountsClippedTokens() {
    // ratios exp(logp - old): row0 = 1.5 (A>0: clipped to 1.2), 1.0; row1 = 0.5 (A<0: clipped to 0.8), 1.1, 1.0
    double[][] old = {
      {-1.0 - Math.log(1.5), -2.0, -0.5}, {-0.3 - Math.log(0.5), -1.2 - Math.log(1.1), -2.0}
    };
    GrpoLoss.Result r =
        GrpoLoss.compute(
            t(LOGP), t(old), null, t(MASK), Tensor.create(ADV).clone(),
            new GrpoLoss.Config(LossType.GRPO, 0.0, 0.2, 0.2, 4));
    double row0 = -(1.2 * 0.5 + 1.0 * 0.5) / 2;
    double row1 = -(0.8 * -1.0 + 1.1 * -1.0 + 1.0 * -1.0) / 3;
    assertEquals((row0 + row1) / 2, r.loss().item_double(), 1e-9);
    assertEquals(2.0 / 5.0, r.clipRatio(), 1e-12);
    // epsilon_high widens only the upper bound: 1.5 now passes unclipped
    GrpoLoss.Result wide =
        GrpoLoss.compute(
            t(LOGP), t(old), null, t(MASK), Tensor.create(ADV).clone(),
            new GrpoLoss.Config(LossType.GRPO, 0.0, 0.2, 0.6, 4));
    assertEquals((-(1.5 * 0.5 + 0.5) / 2 + row1) / 2, wide.loss().item_double(), 1e-9);
    assertEquals(1.0 / 5.0, wide.clipRatio(), 1e-12);
  }

  @Test
  void completionMaskIncludesTheFirstStopTokenOnly() {
    long[] ids = {5, 7, 9, 9, 9, /* */ 7, 3, 3, 3, 3, /* */ 1, 2, 3, 4, 5};
    Tensor m = CompletionMask.of(Tensors.longs(ids, 3, 5), new long[] {9, 8});
    assertArrayEquals(
        new float[] {1, 1, 1, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}, Tensors.toFloats(m), 0f);
    assertEquals(true, CompletionMask.truncated(ids, 5, 5, new long[] {9}));
    assertEquals(false, CompletionMask.truncated(ids, 0, 5, new long[] {9}));
  }

  /**
   * Finite-difference check through a tiny linear "model": logits = W x, log-probs gathered at
   * fixed tokens. The surrogate's value depends on the detached log-probs, so the finite difference
   * is taken with the old log-probs frozen at W0 (clipped path, ratios stay inside the clip range),
   * and compared with the autograd gradient of the on-policy loss at W0.
   */
  @Test
  void finiteDifferenceGradientOfTinyModelMatchesAutograd() {
    torch.manual_seed(3);
    long b = 4, tt = 3, h = 5, v = 6;
    Tensor x = torch.randn(b, tt, h).to(ScalarType.Double);
    Tensor tokens = torch.randint(v, new long[] {b, tt}).unsqueeze(2);
    Tensor w0 = torch.randn(v, h).to(ScalarType.Double);
    Tensor ref = torch.randn(b, tt).to(ScalarType.Double).mul(new Scalar(0.1)).sub(new Scalar(1.5));
    Tensor mask = t(new double[][] {{1, 1, 0}, {1, 1, 1}, {1, 0, 0}, {1, 1, 1}});
    Tensor adv = Tensor.create(new double[] {0.7, -0.2, 1.3, -1.8}).clone();
    for (LossType type : LossType.values()) {
      GrpoLoss.Config cfg = new GrpoLoss.Config(type, 0.04, 0.2, 0.2, 3);
      Tensor w = w0.clone().set_requires_grad(true);
      GrpoLoss.compute(logps(w, x, tokens), null, ref, mask, adv, cfg).loss().backward();
      double[] grad = Tensors.toDoubles(w.grad());
      Tensor old = logps(w0, x, tokens).detach();
      double[] base = Tensors.toDoubles(w0);
      double eps = 1e-6;
      for (int i = 0; i < base.length; i++) {
        double[] plus = base.clone();
        double[] minus = base.clone();
        plus[i] += eps;
        minus[i] -= eps;
        double lp = lossAt(plus, v, h, x, tokens, old, ref, mask, adv, cfg);
        double lm = lossAt(minus, v, h, x, tokens, old, ref, mask, adv, cfg);
        assertEquals((lp - lm) / (2 * eps), grad[i], 1e-7, type + " dW[" + i + "]");
      }
    }
  }

  private static Tensor logps(Tensor w, Tensor x, Tensor tokens) {
    Tensor logits = torch.matmul(x, w.t());
    return torch.log_softmax(logits, 2).gather(2, tokens).squeeze(2);
  }

  private static double lossAt(
      double[] wv, long v, long h, Tensor x, Tensor tokens, Tensor old, Tensor ref, Tensor mask,
      Tensor adv, GrpoLoss.Config cfg) {
    Tensor w = Tensor.create(wv, v, h).clone();
    return GrpoLoss.compute(logps(w, x, tokens), old, ref, mask, adv, cfg).loss().item_double();
  }
}
