package dev.virft.model.nn;

import dev.virft.tensor.Device;
import dev.virft.tensor.PanelLinear;
import dev.virft.tensor.Tensors;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.Map;
import org.bytedeco.pytorch.GradMode;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * The float32 masters of one model seen in the device's compute dtype. With gradients on, the cast is
 * part of the graph so gradients reach the master. Without (generation, reference and old-policy
 * passes), the cast copy is kept and reused until the master changes (its version counter moves with
 * every in-place update): a decode step would otherwise re-read and re-cast every float32 weight, once
 * per generated token. Kept copies are keyed by the master tensor, or by the holder of a fused copy.
 */
public final class ComputeWeights implements WeightCast {
  private final Device device;
  private final Map<Object, KeptCopy> kept = new IdentityHashMap<>();
  private final Map<Object, KeptPanels> packed = new IdentityHashMap<>();

  public ComputeWeights(Device device) {
    this.device = device;
  }

  public Device device() {
    return device;
  }

  /** A master in compute dtype: itself when it already is, else a cast (kept in no-grad passes). */
  @Override
  public Tensor of(Tensor master) {
    if (master.scalar_type().intern() == device.computeType()) {
      return master;
    }
    if (GradMode.is_enabled()) {
      // A training pass: the kept copies are stale after its update anyway, and freeing them leaves
      // room for the activations (4.4 GB for 2B).
      if (!kept.isEmpty() || !packed.isEmpty()) {
        release();
      }
      return master.to(device.computeType());
    }
    return kept(master, master);
  }

  /**
   * The masters cast to compute dtype and concatenated along dim 0 (one projection for several), made
   * once and kept under {@code key} while none of the masters changes.
   */
  public Tensor fused(Object key, Tensor... masters) {
    return kept(key, masters);
  }

  private Tensor kept(Object key, Tensor... masters) {
    long[] versions = versions(masters);
    KeptCopy c = kept.get(key);
    if (c == null || !Arrays.equals(c.versions, versions) || !sameTensors(c.masters, masters)) {
      if (c != null) {
        c.copy.releaseReference();
      }
      Tensor[] cast = new Tensor[masters.length];
      for (int i = 0; i < masters.length; i++) {
        cast[i] = masters[i].to(device.computeType());
      }
      Tensor copy = cast.length == 1 ? cast[0] : Tensors.cat(0, cast);
      copy.retainReference(); // outlives the PointerScope of the step that made it
      c = new KeptCopy(masters, versions, copy);
      kept.put(key, c);
    }
    return c.copy;
  }

  /**
   * Decode steps multiply a few rows by every weight of the model; on the CPU in float32 they go to
   * {@link PanelLinear} against a packed copy kept (in the Java heap) while the masters do not change,
   * like a fused copy. Null, and libtorch's product, for anything else: gradients, other devices or
   * dtypes, more than {@link PanelLinear#MAX_ROWS} rows, weights too small to gain or too big for the heap.
   */
  @Override
  public Tensor packedProduct(Tensor x, Object key, Tensor... masters) {
    if (device != Device.CPU || GradMode.is_enabled() || !PanelLinear.available()
        || device.computeType().intern() != torch.ScalarType.Float || x.numel() > PanelLinear.MAX_ROWS * x.size(-1)) {
      return null;
    }
    long[] versions = versions(masters);
    KeptPanels c = packed.get(key);
    if (c != null && sameTensors(c.masters, masters)) {
      if (!Arrays.equals(c.versions, versions)) {
        c.panels.repack(joined(masters)); // after an update: the same shape, so the same heap
        c.versions = versions;
      }
      return c.panels.apply(x);
    }
    long elements = 0;
    for (Tensor m : masters) {
      elements += m.numel();
    }
    if (elements < PanelLinear.MIN_ELEMENTS
        || !PanelLinear.worthPacking(elements, packedFloats() - (c == null ? 0 : c.panels.packedFloats()))) {
      return null;
    }
    c = new KeptPanels(masters, versions, PanelLinear.pack(joined(masters)));
    packed.put(key, c);
    return c.panels.apply(x);
  }

  private static Tensor joined(Tensor[] masters) {
    return masters.length == 1 ? masters[0] : Tensors.cat(0, masters);
  }

  private static long[] versions(Tensor[] masters) {
    long[] versions = new long[masters.length];
    for (int i = 0; i < masters.length; i++) {
      versions[i] = masters[i].__dispatch__version();
    }
    return versions;
  }

  private static boolean sameTensors(Tensor[] a, Tensor[] b) {
    for (int i = 0; i < a.length; i++) {
      if (a[i] != b[i]) {
        return false;
      }
    }
    return true;
  }

  /** Bytes of the kept copies (bf16 casts, fused projections, packed decode weights in the Java heap). */
  public long keptBytes() {
    long total = packedFloats() * 4;
    for (KeptCopy c : kept.values()) {
      total += c.copy.numel() * c.copy.element_size();
    }
    return total;
  }

  /** Floats of the packed copies that decode steps multiply by ({@link #packedFor}). */
  public long packedFloats() {
    long total = 0;
    for (KeptPanels c : packed.values()) {
      total += c.panels.packedFloats();
    }
    return total;
  }

  /**
   * Where the compute dtype is narrower than float32, replaces every master of {@code params} by its
   * compute-dtype copy (releasing the old one and the kept copies): a frozen model never takes an
   * update, so float32 masters would only double its memory. Returns whether anything was replaced.
   */
  public boolean replaceByComputeCopies(Map<String, Tensor> params) {
    torch.ScalarType compute = device.computeType();
    if (compute.intern() == torch.ScalarType.Float) {
      return false;
    }
    release();
    for (Map.Entry<String, Tensor> e : params.entrySet()) {
      Tensor old = e.getValue();
      Tensor low = old.detach().to(compute).contiguous();
      low.retainReference();
      e.setValue(low);
      old.releaseReference();
    }
    return true;
  }

  /** Frees the kept copies (the model is closing or its weights were replaced). */
  public void release() {
    for (KeptCopy c : kept.values()) {
      c.copy.releaseReference();
    }
    kept.clear();
    packed.clear();
  }

  private static final class KeptPanels {
    final Tensor[] masters;
    final PanelLinear panels;
    long[] versions;

    KeptPanels(Tensor[] masters, long[] versions, PanelLinear panels) {
      this.masters = masters;
      this.versions = versions;
      this.panels = panels;
    }
  }

  private record KeptCopy(Tensor[] masters, long[] versions, Tensor copy) {}
}
