package dev.virft.tensor;

import dev.virft.util.VirftException;
import java.util.Locale;
import org.bytedeco.pytorch.global.torch;

/**
 * libtorch's CPU intra-op threads and OpenBLAS's (the matrix products; {@link BlasThreads}), chosen
 * once per process for the work: one of each for small models (their matrices are too small for a
 * second thread to pay for its hand-offs, and an idle sibling core then stays free for whatever else
 * runs), every core for larger ones, with OpenBLAS's threshold lower than libtorch's (products gain
 * from a second core long before elementwise work does); {@code --threads N} sets both. Inter-op
 * threads are one: nothing here runs independent graph branches concurrently.
 *
 * <p>Workers must not busy-wait: OpenMP's default spinning collapses as soon as another process wants
 * a core. That is {@code OMP_WAIT_POLICY=PASSIVE}, which libgomp reads when it loads, so it is set in
 * the environment by the {@code virft} launcher and by the test runner's configuration, not here.
 */
public final class CpuThreads {
  /**
   * Below this many parameters one thread is used. On the shared 2-core box (docs/benchmarks.md) one
   * thread was as fast as two for the 10 M bench config and 2.6x faster for the 113 M one (whose
   * vocabulary-sized head dominates), with other work on the box; larger models get every core.
   */
  public static final long ONE_THREAD_BELOW_PARAMETERS = 200_000_000L;

  /**
   * Below this many parameters OpenBLAS (the matrix products) gets one thread too; at or above it every
   * core. Its pool is separate from libtorch's, and a vocabulary-sized head already gains from a second
   * core: on the free 2-core box one libtorch thread with two OpenBLAS threads was the fastest for both
   * bench configs (113 M: decode 4.4 s against 8.0 s with one OpenBLAS thread; 10 M, whose 151,936-row
   * head is nearly all of it: GRPO step 2.3 s against 3.2-3.5 s; docs/benchmarks.md). The demo's
   * 0.7 M model has no product big enough to share.
   */
  public static final long ONE_BLAS_THREAD_BELOW_PARAMETERS = 5_000_000L;

  private static Integer requested;
  private static volatile int productThreads;
  private static boolean chosen;
  private static boolean interopSet;

  private CpuThreads() {}

  /** {@code --threads N}: applied now and kept for every model this process loads. */
  public static synchronized void request(int n) {
    if (n < 1) {
      throw new VirftException("--threads: " + n + ", expected an integer >= 1");
    }
    requested = n;
    chosen = false;
    apply(n, n, "--threads " + n);
  }

  /** The requested count, or null when the choice is left to the model size. */
  public static synchronized Integer requested() {
    return requested;
  }

  /**
   * Chooses the threads for a model of {@code parameters} parameters, the first time a model is made
   * (policy and reference are the same size); later calls keep that choice. {@code --threads} wins.
   */
  public static synchronized void forModel(long parameters, Device device) {
    if (chosen || device != Device.CPU) {
      return;
    }
    if (requested != null) {
      chosen = true;
      return;
    }
    int cores = Runtime.getRuntime().availableProcessors();
    int n = threadsFor(parameters, cores);
    apply(n, blasThreadsFor(parameters, cores), String.format(Locale.ROOT,
        "model of %.1f M parameters, %s %d M; --threads N overrides",
        parameters / 1e6, parameters < ONE_THREAD_BELOW_PARAMETERS ? "below" : "at least",
        ONE_THREAD_BELOW_PARAMETERS / 1_000_000));
  }

  /** The size rule for OpenBLAS's threads. */
  public static int blasThreadsFor(long parameters, int cores) {
    return parameters < ONE_BLAS_THREAD_BELOW_PARAMETERS ? 1 : Math.max(1, cores);
  }

  /** The size rule alone. */
  public static int threadsFor(long parameters, int cores) {
    return parameters < ONE_THREAD_BELOW_PARAMETERS ? 1 : Math.max(1, cores);
  }

  /**
   * Threads for the matrix products (OpenBLAS's, and {@link PanelLinear}'s): the choice made for the
   * model, or every core before one is made.
   */
  public static int productThreads() {
    int n = productThreads;
    return n > 0 ? n : Runtime.getRuntime().availableProcessors();
  }

  private static void apply(int n, int blasThreads, String why) {
    chosen = true;
    productThreads = blasThreads;
    if (!interopSet) {
      interopSet = true;
      try {
        torch.set_num_interop_threads(1);
      } catch (RuntimeException e) {
        // libtorch refuses once inter-op work has started; the default then stays.
      }
    }
    torch.set_num_threads(n);
    // libtorch's setting stops at its OpenMP regions; the matrix products go to OpenBLAS's own pool.
    String blas = BlasThreads.set(blasThreads) ? "OpenBLAS " + BlasThreads.get() : "no OpenBLAS";
    String wait = System.getenv("OMP_WAIT_POLICY");
    System.err.printf(Locale.ROOT, "virft: %d CPU thread%s (%s; %s; OMP_WAIT_POLICY=%s)%n", n, n == 1 ? "" : "s",
        why, blas, wait == null ? "unset, workers may spin" : wait);
  }
}
