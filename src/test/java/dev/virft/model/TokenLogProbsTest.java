package dev.virft.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.virft.tensor.Device;
import dev.virft.tensor.Tensors;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The hand-written head backward ({@link TokenLogProbs}, used by the GRPO policy pass on the CPU) against
 * autograd's {@code log_softmax} + {@code gather} on the golden checkpoint: same log-probs, same
 * gradients for the tied embedding/head, a layer's projections and the norms, for a loss that is not
 * linear in the log-probs.
 */
class TokenLogProbsTest {
  static final String[] NAMES = {"model.embed_tokens.weight", "model.layers.0.self_attn.q_proj.weight",
      "model.layers.1.mlp.down_proj.weight", "model.norm.weight"};

  @Test
  void handWrittenHeadBackwardMatchesAutograd() {
    GoldenSharedPrompt gp = GoldenSharedPrompt.load();
    try (QwenVLModel m = QwenVLModel.load(GoldenSharedPrompt.DIR.resolve("checkpoint"), Device.CPU)) {
      Tensor ids = gp.ids();
      Tensor mask = gp.mask();
      Tensor mine = gp.imageEmbeds();
      long[][] myGrid = gp.grid();
      Tensor c = Tensors.longs2d(new long[][] {{5, 9, 17, 3, 44}, {8, 8, 8, 2, 1}, {60, 7, 31, 12, 90}});
      Tensor w = Tensors.floats(new float[] {0.5f, -1f, 2f, 0f, 1f, -0.25f, 3f, 1f, 1f, -2f, 0.1f, 0.7f, -1f, 1f, 2f},
          3, 5);

      // Twice each: the second pass reuses the buffer and accumulates into existing .grad tensors.
      Tensor[] want = null;
      Tensor wantLogps = null;
      for (int pass = 0; pass < 2; pass++) {
        m.zeroGrad();
        wantLogps = m.completionLogProbsSharedPrompt(ids, mask, mine, myGrid, c);
        loss(wantLogps, w).backward();
        want = grads(m);
      }
      for (int pass = 0; pass < 2; pass++) {
        m.zeroGrad();
        LossLogProbs lp = m.completionLogProbsSharedPromptForLoss(ids, mask, mine, myGrid, c);
        assertTrue(lp.logps().requires_grad(), "the loss's log-probs require grad");
        lp.backward(loss(lp.logps(), w));
        assertArrayEquals(Tensors.shape(wantLogps), Tensors.shape(lp.logps()));
        double d = wantLogps.sub(lp.logps()).abs().max().item_double();
        assertTrue(d <= 1e-5, "log-prob max abs diff " + d);
        Tensor[] got = grads(m);
        for (int i = 0; i < NAMES.length; i++) {
          double rel = want[i].sub(got[i]).norm().item_double() / want[i].norm().item_double();
          assertTrue(want[i].norm().item_double() > 0, NAMES[i] + " has a gradient");
          assertTrue(rel <= 1e-5, "pass " + pass + ": " + NAMES[i] + " gradient relative L2 error " + rel);
        }
      }
      try (NoGradGuard ng = new NoGradGuard()) {
        Tensor values = m.completionLogProbsSharedPrompt(ids, mask, mine, myGrid, c);
        double d = wantLogps.sub(values).abs().max().item_double();
        assertTrue(d <= 1e-5, "no-grad log-prob max abs diff " + d);
      }
    }
  }

  private static Tensor loss(Tensor logps, Tensor w) {
    return logps.mul(w).sum().add(logps.exp().sum().mul(new Scalar(0.3)));
  }

  private static Tensor[] grads(QwenVLModel m) {
    Tensor[] out = new Tensor[NAMES.length];
    for (int i = 0; i < NAMES.length; i++) {
      out[i] = m.parameters().get(NAMES[i]).grad().clone();
    }
    return out;
  }
}
