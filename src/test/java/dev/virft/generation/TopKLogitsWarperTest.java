package dev.virft.generation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.virft.tensor.Tensors;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.GeneratorOptional;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

class TopKLogitsWarperTest {
  /** The two-stage selection gives torch.topk's values and columns, with a ragged last block and -inf ids. */
  @Test
  void blockwiseTopKEqualsFullTopK() {
    Generator g = torch.createCPUGenerator(5);
    for (long width : new long[] {151936, 100003, 5000}) {
      Tensor scores = torch.empty(3, width).normal_(0.0, 3.0, new GeneratorOptional(g));
      scores.narrow(1, 17, 40).fill_(new Scalar(Float.NEGATIVE_INFINITY));
      Tensor[] mine = TopKLogitsWarper.topK(scores, 50);
      var want = torch.topk(scores, 50);
      assertArrayEquals(Tensors.toFloats(want.get0()), Tensors.toFloats(mine[0]), "values, width " + width);
      assertArrayEquals(Tensors.toLongs(want.get1()), Tensors.toLongs(mine[1]), "columns, width " + width);
    }
  }
}
