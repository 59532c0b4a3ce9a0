package dev.virft.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

class VocabProjectionTest {
  @Test
  void blockedHeadEqualsOneLinearOverSeveralBlocksAndARaggedTail() {
    try (PointerScope scope = new PointerScope(); NoGradGuard noGrad = new NoGradGuard()) {
      torch.manual_seed(5);
      long h = 128;
      long v = 3 * (VocabProjection.BLOCK_FLOATS / h) + 77;
      Tensor weight = torch.randn(v, h);
      Tensor hidden = torch.randn(8, h);
      Tensor ours = VocabProjection.logits(hidden, weight);
      Tensor theirs = torch.linear(hidden, weight);
      assertArrayEquals(theirs.sizes().vec().get(), ours.sizes().vec().get());
      double diff = torch.max(torch.abs(torch.sub(ours, theirs))).item_double();
      assertTrue(diff < 1e-4, "max abs diff " + diff);
      assertTrue(torch.equal(torch.argmax(ours, new org.bytedeco.pytorch.LongOptional(1), false),
          torch.argmax(theirs, new org.bytedeco.pytorch.LongOptional(1), false)), "greedy ids differ");
    }
  }
}
