package dev.virft.tensor;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

class TokenLogProbsTest {
  @Test
  void equalsGatheringFromLogSoftmaxInValueAndGradient() {
    try (PointerScope scope = new PointerScope()) {
      torch.manual_seed(3);
      Tensor logits = torch.mul(torch.randn(2, 5, 1000), torch.scalar_tensor(new org.bytedeco.pytorch.Scalar(8.0)));
      Tensor targets = torch.randint(1000, new long[] {2, 5}).to(torch.ScalarType.Long);
      Tensor a = logits.detach().requires_grad_(true);
      Tensor b = logits.detach().requires_grad_(true);
      Tensor weights = torch.randn(2, 5);
      Tensor ours = TokenLogProbs.of(a, targets);
      Tensor theirs = torch.gather(torch.log_softmax(b, -1), 2, targets.unsqueeze(-1)).squeeze(-1);
      double valueDiff = torch.max(torch.abs(torch.sub(ours, theirs))).item_double();
      assertTrue(valueDiff < 1e-5, "values differ by " + valueDiff);
      torch.sum(torch.mul(ours, weights)).backward();
      torch.sum(torch.mul(theirs, weights)).backward();
      double gradDiff = torch.max(torch.abs(torch.sub(a.grad(), b.grad()))).item_double();
      assertTrue(gradDiff < 1e-6, "gradients differ by " + gradDiff);
      assertTrue(torch.max(torch.abs(a.grad())).item_double() > 1e-3, "the gradient is not zero");
    }
  }
}
