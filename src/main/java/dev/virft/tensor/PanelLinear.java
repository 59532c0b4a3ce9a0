package dev.virft.tensor;

import dev.virft.util.VirftException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * {@code x · Wᵀ} for a few float32 rows on the CPU against a weight packed once into column panels
 * ({@link PanelKernel}): a decode step's products, where OpenBLAS spends 3-4x the time it takes to
 * read the weight (it repacks the weight on every call). Packing costs one pass over the weight, so
 * the packed copy is kept until the weight changes (the model's ComputeWeights decides when).
 *
 * <p>Needs the JDK's {@code jdk.incubator.vector} module ({@code --add-modules jdk.incubator.vector},
 * which the {@code virft} launcher and the test runner pass); without it {@link #available()} is false
 * and callers keep libtorch's product. {@code -Dvirft.panelHead=false} turns it off for comparisons.
 */
public final class PanelLinear {
  private static final boolean VECTOR_MODULE =
      ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
  private static final int PACK_ROWS = 256;
  /** Products of at most this many rows (a decode step's batch) use the packed weight. */
  public static final int MAX_ROWS = 32;
  /**
   * Weights of fewer elements stay with libtorch: their product is a few microseconds either way, and
   * the demo's tiny model keeps one code path.
   */
  public static final long MIN_ELEMENTS = 1L << 14;
  private static ExecutorService pool;
  private static int poolThreads;

  private final int n;
  private final int k;
  private final int panels;
  private final float[] packed;

  private PanelLinear(int n, int k) {
    this.n = n;
    this.k = k;
    this.panels = (n + PanelKernel.PANEL - 1) / PanelKernel.PANEL;
    long size = (long) panels * PanelKernel.PANEL * k;
    if (size > Integer.MAX_VALUE - 16) {
      throw new VirftException("PanelLinear: a [" + n + ", " + k + "] weight is over 2^31 floats");
    }
    this.packed = new float[(int) size];
  }

  /** Whether the vector module is there and the product is not turned off. */
  public static boolean available() {
    return VECTOR_MODULE && !"false".equals(System.getProperty("virft.panelHead"));
  }

  /** Packs {@code weight} [n, k] (float32 on the CPU; read, not kept). */
  public static PanelLinear pack(Tensor weight) {
    check(weight);
    PanelLinear out = new PanelLinear((int) weight.size(0), (int) weight.size(1));
    out.repack(weight);
    return out;
  }

  /** Packs a new value of the same-shaped weight into this copy (no new heap). */
  public void repack(Tensor weight) {
    check(weight);
    if (weight.size(0) != n || weight.size(1) != k) {
      throw new VirftException("PanelLinear: repacking a [" + weight.size(0) + ", " + weight.size(1)
          + "] weight into a [" + n + ", " + k + "] copy");
    }
    Tensor w = weight.detach().contiguous();
    int blocks = (n + PACK_ROWS - 1) / PACK_ROWS;
    parallel(blocks, (b0, b1) -> {
      FloatPointer src = new FloatPointer(w.data_ptr()).capacity(w.numel());
      float[] rows = new float[PACK_ROWS * k];
      for (int b = b0; b < b1; b++) {
        int r0 = b * PACK_ROWS;
        int count = Math.min(PACK_ROWS, n - r0);
        src.position((long) r0 * k).get(rows, 0, count * k);
        PanelKernel.pack(rows, r0, count, k, packed);
      }
    }, w);
  }

  private static void check(Tensor weight) {
    if (weight.dim() != 2 || weight.scalar_type().intern() != torch.ScalarType.Float || !weight.device().is_cpu()) {
      throw new VirftException("PanelLinear: expected a float32 CPU matrix, got " + weight.scalar_type()
          + " of " + weight.dim() + " dims");
    }
  }

  /**
   * Whether a weight of {@code elements} floats should be packed: big enough to gain, and the packed
   * copies of the whole model stay within a quarter of the Java heap. A float32 2B model would need
   * 9 GB for all of them; with the launcher's 8 GB heap it gets 2 GB (its head and some layers) and
   * the rest stays on libtorch, so CPU inference of a big model does not double its memory.
   */
  public static boolean worthPacking(long elements, long alreadyPackedFloats) {
    return elements >= MIN_ELEMENTS && (alreadyPackedFloats + elements) * 4 < Runtime.getRuntime().maxMemory() / 4;
  }

  /** Floats of the packed copy (the Java heap it takes, in 4-byte units). */
  public long packedFloats() {
    return packed.length;
  }

  /** {@code x} [..., k] (float32, CPU) times the packed weight: [..., n] float32. */
  public Tensor apply(Tensor x) {
    if (x.size(-1) != k) {
      throw new VirftException("PanelLinear: input's last dimension is " + x.size(-1) + ", expected " + k);
    }
    long[] shape = Tensors.shape(x);
    int rows = (int) (x.numel() / k);
    float[] xs = Tensors.toFloats(x);
    int stride = panels * PanelKernel.PANEL;
    float[] out = new float[rows * stride];
    parallel(panels, (p0, p1) -> PanelKernel.multiply(xs, rows, k, packed, p0, p1, out, stride), null);
    shape[shape.length - 1] = n;
    Tensor y = Tensors.empty(torch.ScalarType.Float, shape);
    FloatPointer dst = new FloatPointer(y.data_ptr()).capacity((long) rows * n);
    for (int r = 0; r < rows; r++) {
      dst.position((long) r * n).put(out, r * stride, n);
    }
    return y;
  }

  private interface Range {
    void run(int from, int to);
  }

  /** Splits [0, count) over the CPU threads, this thread taking the first part. */
  private void parallel(int count, Range body, Object keepAlive) {
    int threads = Math.max(1, Math.min(count, CpuThreads.productThreads()));
    List<Future<?>> parts = new ArrayList<>();
    ExecutorService workers = threads > 1 ? pool(threads - 1) : null;
    for (int t = 1; t < threads; t++) {
      int from = (int) ((long) count * t / threads);
      int to = (int) ((long) count * (t + 1) / threads);
      parts.add(workers.submit(() -> body.run(from, to)));
    }
    body.run(0, (int) ((long) count / threads));
    try {
      for (Future<?> f : parts) {
        f.get();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new VirftException("PanelLinear: interrupted");
    } catch (java.util.concurrent.ExecutionException e) {
      throw new VirftException("PanelLinear: " + e.getCause());
    }
    java.lang.ref.Reference.reachabilityFence(keepAlive);
  }

  private static synchronized ExecutorService pool(int threads) {
    if (pool == null || poolThreads < threads) {
      if (pool != null) {
        pool.shutdown();
      }
      poolThreads = threads;
      pool = Executors.newFixedThreadPool(threads, r -> {
        Thread t = new Thread(r, "virft-panel");
        t.setDaemon(true);
        return t;
      });
    }
    return pool;
  }
}
