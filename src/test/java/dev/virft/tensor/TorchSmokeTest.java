package dev.virft.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

class TorchSmokeTest {
  @Test
  void libtorchLoadsAndComputes() {
    Tensor a = torch.ones(2, 3);
    Tensor b = torch.matmul(a, a.t());
    assertEquals(3.0, b.get(0).get(0).item_float(), 0.0);
  }
}
