package dev.virft.train;

import dev.virft.util.VirftException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * AdamW with its state sharded over ranks, ZeRO stage 1/2 (DeepSpeed's
 * {@code DeepSpeedZeroOptimizer}): per bucket, the gradients are reduce-scattered so that each rank
 * holds the summed gradient of its 1/N of the elements only; the rank updates that slice with its
 * 1/N of the AdamW moments, and the updated weights are all-gathered back into every rank's model.
 *
 * <p>Element by element the update is {@link AdamW}'s (same operations in the same order, weight
 * decay by parameter name), so a sharded run differs from an unsharded one only by the summation
 * order of the gradient reduction.
 */
public final class ShardedAdamW implements TrainOptimizer {
  /** Part of one parameter inside this rank's slice of a bucket. */
  private record Segment(GradientBuckets.Slot slot, long shardStart, long paramStart, long length) {}

  private final AdamW.Hyper hyper;
  private final Distributed dist;
  private final GradientBuckets buckets;
  private final List<List<Segment>> segments = new ArrayList<>();
  private final List<Tensor> expAvg = new ArrayList<>();
  private final List<Tensor> expAvgSq = new ArrayList<>();
  private final List<Tensor> gradShard = new ArrayList<>();
  private double[] flags;
  private long step;

  public ShardedAdamW(LinkedHashMap<String, Tensor> params, AdamW.Hyper hyper, Distributed dist, long bucketElements) {
    this.hyper = hyper;
    this.dist = dist;
    this.buckets = new GradientBuckets(params, bucketElements, dist.worldSize());
    for (GradientBuckets.Bucket b : buckets.buckets) {
      long shard = b.shardLength(dist.worldSize());
      long lo = dist.rank() * shard;
      long hi = lo + shard;
      List<Segment> segs = new ArrayList<>();
      for (GradientBuckets.Slot s : b.slots()) {
        long a = Math.max(lo, s.offset());
        long z = Math.min(hi, s.offset() + s.numel());
        if (a < z) {
          segs.add(new Segment(s, a - lo, a - s.offset(), z - a));
        }
        if (!s.param().is_contiguous()) {
          throw new IllegalStateException("parameter " + s.name() + " is not contiguous");
        }
      }
      segments.add(segs);
      Tensor p0 = b.slots().get(0).param();
      expAvg.add(torch.zeros(shard).to(p0.device(), p0.scalar_type()));
      expAvgSq.add(torch.zeros(shard).to(p0.device(), p0.scalar_type()));
      gradShard.add(torch.zeros(shard).to(p0.device(), p0.scalar_type()));
    }
  }

  @Override
  public void zeroGrad() {
    for (GradientBuckets.Slot s : buckets.slots) {
      Tensor g = s.param().grad();
      if (g != null && g.defined()) {
        g.zero_();
      }
    }
  }

  @Override
  public double reduceAndClip(double maxNorm) {
    flags = buckets.globalGradFlags(dist);
    double sumSq = 0;
    try (NoGradGuard ng = new NoGradGuard()) {
      for (int b = 0; b < buckets.buckets.size(); b++) {
        try (PointerScope scope = new PointerScope()) {
          dist.reduceScatterSum(gradShard.get(b), GradientBuckets.flatGradients(buckets.buckets.get(b)));
        }
      }
      // Squared norms per parameter part, summed in double, then over ranks: clip_grad_norm_'s total.
      try (PointerScope scope = new PointerScope()) {
        for (int b = 0; b < segments.size(); b++) {
          for (Segment s : segments.get(b)) {
            double n = gradShard.get(b).narrow(0, s.shardStart(), s.length()).norm().item_double();
            sumSq += n * n;
          }
        }
      }
      double total = Math.sqrt(dist.sum(sumSq));
      if (maxNorm > 0 && Double.isFinite(total)) {
        double coef = Math.min(1.0, maxNorm / (total + 1e-6));
        if (coef < 1.0) {
          for (Tensor g : gradShard) {
            g.mul_(new Scalar(coef));
          }
        }
      }
      return total;
    }
  }

  @Override
  public void step(double lr) {
    step++;
    double bc1 = 1 - Math.pow(hyper.beta1(), step);
    double bc2Sqrt = Math.sqrt(1 - Math.pow(hyper.beta2(), step));
    try (NoGradGuard ng = new NoGradGuard()) {
      for (int b = 0; b < segments.size(); b++) {
        GradientBuckets.Bucket bucket = buckets.buckets.get(b);
        try (PointerScope scope = new PointerScope()) {
          Tensor mine = torch.zeros(bucket.shardLength(dist.worldSize()))
              .to(gradShard.get(b).device(), gradShard.get(b).scalar_type());
          for (Segment s : segments.get(b)) {
            Tensor p = s.slot().param().reshape(-1).narrow(0, s.paramStart(), s.length());
            if (flags[s.slot().index()] != 0) {
              Tensor g = gradShard.get(b).narrow(0, s.shardStart(), s.length());
              Tensor m = expAvg.get(b).narrow(0, s.shardStart(), s.length());
              Tensor v = expAvgSq.get(b).narrow(0, s.shardStart(), s.length());
              double wd = AdamW.decays(s.slot().name()) ? hyper.weightDecay() : 0.0;
              if (wd != 0.0) {
                p.mul_(new Scalar(1 - lr * wd));
              }
              AdamW.update(p, g, m, v, hyper, lr / bc1, bc2Sqrt);
            }
            mine.narrow(0, s.shardStart(), s.length()).copy_(p);
          }
          Tensor full = torch.zeros(bucket.length()).to(mine.device(), mine.scalar_type());
          dist.allGather(full, mine);
          for (GradientBuckets.Slot s : bucket.slots()) {
            s.param().reshape(-1).copy_(full.narrow(0, s.offset(), s.numel()));
          }
        }
      }
    }
  }

  @Override
  public long stepCount() {
    return step;
  }

  /** This rank's moments ({@code exp_avg.bucket.K}, {@code exp_avg_sq.bucket.K}) for its shard file. */
  public LinkedHashMap<String, Tensor> stateTensors() {
    LinkedHashMap<String, Tensor> out = new LinkedHashMap<>();
    for (int b = 0; b < expAvg.size(); b++) {
      out.put("exp_avg.bucket." + b, expAvg.get(b));
      out.put("exp_avg_sq.bucket." + b, expAvgSq.get(b));
    }
    return out;
  }

  /** A description of the shard layout; a shard file is only loaded into the same layout. */
  public String layout() {
    StringBuilder sb = new StringBuilder();
    sb.append("world=").append(dist.worldSize()).append(";rank=").append(dist.rank());
    for (GradientBuckets.Bucket b : buckets.buckets) {
      sb.append(";bucket=").append(b.length()).append(':').append(b.slots().get(0).name()).append("..")
          .append(b.slots().get(b.slots().size() - 1).name());
    }
    return sb.toString();
  }

  /** Restores this rank's moments from its shard file's tensors. */
  public void loadShard(Map<String, Tensor> state, long stepCount, String source) {
    try (NoGradGuard ng = new NoGradGuard()) {
      for (int b = 0; b < expAvg.size(); b++) {
        copy(expAvg.get(b), state.get("exp_avg.bucket." + b), "exp_avg.bucket." + b, source);
        copy(expAvgSq.get(b), state.get("exp_avg_sq.bucket." + b), "exp_avg_sq.bucket." + b, source);
      }
    }
    step = stepCount;
  }

  /**
   * Restores this rank's slice from a whole (unsharded) optimizer state, {@code exp_avg.NAME}: a run
   * checkpointed without sharding can go on sharded over any number of ranks.
   */
  public void loadFull(Map<String, Tensor> state, long stepCount, String source) {
    try (NoGradGuard ng = new NoGradGuard()) {
      for (int b = 0; b < segments.size(); b++) {
        for (Segment s : segments.get(b)) {
          for (String kind : new String[] {"exp_avg.", "exp_avg_sq."}) {
            Tensor src = state.get(kind + s.slot().name());
            if (src == null || src.numel() != s.slot().numel()) {
              throw new VirftException(source + ": optimizer state has no tensor '" + kind + s.slot().name()
                  + "' of " + s.slot().numel() + " values (trained parameters changed?)");
            }
            Tensor dst = (kind.equals("exp_avg.") ? expAvg : expAvgSq).get(b).narrow(0, s.shardStart(), s.length());
            dst.copy_(src.reshape(-1).narrow(0, s.paramStart(), s.length()));
          }
        }
      }
    }
    step = stepCount;
  }

  private static void copy(Tensor dst, Tensor src, String name, String source) {
    if (src == null || src.numel() != dst.numel()) {
      throw new VirftException(source + ": optimizer shard has no tensor '" + name + "' of " + dst.numel()
          + " values (written with another bucket layout?)");
    }
    dst.copy_(src.reshape(dst.sizes()));
  }
}
