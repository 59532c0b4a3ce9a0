package dev.virft.train;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * The trainable parameters laid out as flat buckets for collectives, in parameter order (as DDP and
 * DeepSpeed bucket them): one all-reduce or reduce-scatter per bucket instead of one per tensor. Each
 * bucket is padded to a multiple of the world size so that rank {@code r} owns elements
 * {@code [r * L / N, (r + 1) * L / N)} of it under ZeRO.
 */
final class GradientBuckets {
  /** One parameter's place in its bucket. */
  record Slot(int index, String name, Tensor param, long offset, long numel) {}

  /** A bucket: its slots and padded length. */
  record Bucket(List<Slot> slots, long length) {
    long shardLength(int world) {
      return length / world;
    }
  }

  final List<Bucket> buckets = new ArrayList<>();
  final List<Slot> slots = new ArrayList<>();
  final int world;

  GradientBuckets(LinkedHashMap<String, Tensor> params, long bucketElements, int world) {
    this.world = world;
    List<Slot> current = new ArrayList<>();
    long used = 0;
    int i = 0;
    for (Map.Entry<String, Tensor> e : params.entrySet()) {
      long n = e.getValue().numel();
      if (!current.isEmpty() && used + n > bucketElements) {
        close(current, used);
        current = new ArrayList<>();
        used = 0;
      }
      Slot s = new Slot(i++, e.getKey(), e.getValue(), used, n);
      current.add(s);
      slots.add(s);
      used += n;
    }
    if (!current.isEmpty()) {
      close(current, used);
    }
  }

  private void close(List<Slot> s, long used) {
    long padded = (used + world - 1) / world * world;
    buckets.add(new Bucket(s, Math.max(padded, world)));
  }

  /**
   * Which parameters have a gradient on any rank (1) or on none (0): a parameter unused everywhere
   * keeps no gradient, as in one process, so AdamW skips it exactly as it would there.
   */
  double[] globalGradFlags(Distributed dist) {
    double[] f = new double[slots.size()];
    for (Slot s : slots) {
      Tensor g = s.param().grad();
      f[s.index()] = g != null && g.defined() ? 1 : 0;
    }
    return dist.sum(f);
  }

  /** The bucket's gradients as one flat tensor (zeros where a rank has none). */
  static Tensor flatGradients(Bucket b) {
    Tensor p0 = b.slots().get(0).param();
    Tensor flat = torch.zeros(b.length()).to(p0.device(), p0.scalar_type());
    for (Slot s : b.slots()) {
      Tensor g = s.param().grad();
      if (g != null && g.defined()) {
        flat.narrow(0, s.offset(), s.numel()).copy_(g.reshape(-1));
      }
    }
    return flat;
  }

  /** Sums every gradient over ranks, bucket by bucket; afterwards every rank holds the same gradients. */
  void allReduce(Distributed dist) {
    double[] flags = globalGradFlags(dist);
    try (NoGradGuard ng = new NoGradGuard()) {
      for (Bucket b : buckets) {
        try (PointerScope scope = new PointerScope()) {
          Tensor flat = flatGradients(b);
          dist.allReduceSum(flat);
          for (Slot s : b.slots()) {
            if (flags[s.index()] == 0) {
              continue;
            }
            Tensor g = s.param().grad();
            if (g == null || !g.defined()) {
              s.param().mutable_grad().put(torch.zeros_like(s.param()));
              g = s.param().grad();
            }
            g.copy_(flat.narrow(0, s.offset(), s.numel()).view(g.sizes()));
          }
        }
      }
    }
  }
}
