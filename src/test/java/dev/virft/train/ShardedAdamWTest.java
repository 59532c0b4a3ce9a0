package dev.virft.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

/**
 * The sharded optimizer's bookkeeping (buckets, segments of parameters split across bucket and shard
 * boundaries, weight decay by name, parameters without a gradient) against {@link AdamW}: on one rank
 * the shard is everything, so the two must agree bit for bit.
 */
class ShardedAdamWTest {
  static LinkedHashMap<String, Tensor> params(long seed) {
    torch.manual_seed(seed);
    LinkedHashMap<String, Tensor> p = new LinkedHashMap<>();
    p.put("a.weight", torch.randn(7, 5).set_requires_grad(true));
    p.put("a.bias", torch.randn(5).set_requires_grad(true));
    p.put("norm.weight", torch.randn(11).set_requires_grad(true));
    p.put("unused.weight", torch.randn(3, 3).set_requires_grad(true));
    p.put("b.weight", torch.randn(4, 6).set_requires_grad(true));
    return p;
  }

  /** A loss that touches every parameter but "unused". */
  static void backward(LinkedHashMap<String, Tensor> p, int step) {
    Tensor l = p.get("a.weight").pow(new Scalar(2)).sum().mul(new Scalar(0.5 + step))
        .add(p.get("a.bias").sin().sum())
        .add(p.get("norm.weight").mul(new Scalar(3.0)).sum())
        .add(p.get("b.weight").exp().mean().mul(new Scalar(40.0)));
    l.backward();
  }

  static double maxDiff(LinkedHashMap<String, Tensor> x, LinkedHashMap<String, Tensor> y) {
    double m = 0;
    for (String k : x.keySet()) {
      m = Math.max(m, x.get(k).sub(y.get(k)).abs().max().item_double());
    }
    return m;
  }

  @Test
  void oneRankShardEqualsAdamWExactlyAcrossBucketsAndResumesFromAWholeState() {
    AdamW.Hyper h = AdamW.Hyper.defaults(0.1);
    LinkedHashMap<String, Tensor> ref = params(3);
    LinkedHashMap<String, Tensor> sh = params(3);
    AdamW whole = new AdamW(ref, h);
    // 16-element buckets: a.weight (35) alone, the rest split over several buckets.
    ShardedAdamW sharded = new ShardedAdamW(sh, h, Distributed.SINGLE, 16);
    for (int step = 0; step < 4; step++) {
      whole.zeroGrad();
      sharded.zeroGrad();
      backward(ref, step);
      backward(sh, step);
      double n1 = GradientClipping.clip(ref.values(), 1.0);
      double n2 = sharded.reduceAndClip(1.0);
      assertEquals(n1, n2, 1e-9 * n1);
      assertTrue(n1 > 1.0, "clipping is exercised");
      whole.step(0.01);
      sharded.step(0.01);
    }
    assertEquals(0.0, maxDiff(ref, sh));
    assertTrue(params(3).get("a.weight").sub(sh.get("a.weight")).abs().max().item_double() > 1e-3, "trained");
    assertEquals(0.0, params(3).get("unused.weight").sub(sh.get("unused.weight")).abs().max().item_double(),
        "a parameter without gradient is not touched, as in AdamW");

    // A whole optimizer state (optimizer.safetensors) continues sharded exactly.
    LinkedHashMap<String, Tensor> cont = new LinkedHashMap<>();
    try (NoGradGuard ng = new NoGradGuard()) {
      sh.forEach((k, v) -> cont.put(k, v.detach().clone().set_requires_grad(true)));
    }
    ShardedAdamW resumed = new ShardedAdamW(cont, h, Distributed.SINGLE, 16);
    resumed.loadFull(whole.stateTensors(), whole.stepCount(), "test");
    whole.zeroGrad();
    resumed.zeroGrad();
    backward(ref, 4);
    backward(cont, 4);
    GradientClipping.clip(ref.values(), 1.0);
    resumed.reduceAndClip(1.0);
    whole.step(0.01);
    resumed.step(0.01);
    assertEquals(0.0, maxDiff(ref, cont));
  }
}
