package dev.virft.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

class PanelLinearTest {
  @Test
  void theVectorModuleIsThereInTests() {
    assertTrue(PanelLinear.available(), "the test runner must pass --add-modules jdk.incubator.vector");
  }

  @Test
  void matchesLibtorchsProductForOddShapes() {
    torch.manual_seed(7);
    // n not a multiple of a panel, k odd, rows through every block size (8, 4, 1) and a 3-d input
    for (int[] shape : new int[][] {{1, 37, 5}, {3, 70, 33}, {8, 129, 64}, {13, 1000, 96}, {32, 45, 7}}) {
      int rows = shape[0];
      int n = shape[1];
      int k = shape[2];
      Tensor w = torch.randn(new long[] {n, k});
      Tensor x = torch.randn(new long[] {rows, 1, k});
      PanelLinear p = PanelLinear.pack(w);
      Tensor got = p.apply(x);
      Tensor want = torch.linear(x, w);
      assertArrayEquals(Tensors.shape(want), Tensors.shape(got));
      float[] a = Tensors.toFloats(got);
      float[] b = Tensors.toFloats(want);
      for (int i = 0; i < a.length; i++) {
        assertEquals(b[i], a[i], 1e-5 * (1 + Math.abs(b[i])), "shape " + rows + "x" + n + "x" + k + " at " + i);
      }
    }
  }

  @Test
  void aRowsResultDoesNotDependOnItsBatch() {
    torch.manual_seed(3);
    Tensor w = torch.randn(new long[] {300, 50});
    Tensor x = torch.randn(new long[] {11, 50});
    PanelLinear p = PanelLinear.pack(w);
    float[] batch = Tensors.toFloats(p.apply(x));
    for (int r = 0; r < 11; r++) {
      float[] alone = Tensors.toFloats(p.apply(x.narrow(0, r, 1)));
      for (int j = 0; j < 300; j++) {
        assertEquals(Float.floatToIntBits(alone[j]), Float.floatToIntBits(batch[r * 300 + j]),
            "row " + r + " column " + j + " differs between the batch of 11 and alone");
      }
    }
  }
}
