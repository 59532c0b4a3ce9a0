package dev.virft.tensor;

import com.sun.jna.Function;
import com.sun.jna.Pointer;
import org.bytedeco.javacpp.Loader;

/**
 * The thread count of the OpenBLAS that libtorch's CPU matrix products run on. libtorch's
 * {@code set_num_threads} does not reach it: this OpenBLAS keeps its own pthread pool, one worker per
 * core, whose workers spin between jobs. So a process told to use one thread still ran its products on
 * every core, and collapsed as soon as another process wanted one (docs/benchmarks.md, issue 13).
 *
 * <p>Written by hand because nothing exposes the setter: neither libtorch nor bytedeco's openblas
 * presets map {@code openblas_set_num_threads}; the symbol is looked up in the libraries JavaCPP has
 * loaded and called through JNA. Where it is absent (an MKL or CUDA-only build) nothing is changed.
 */
public final class BlasThreads {
  private static final String SET = "openblas_set_num_threads";
  private static final String GET = "openblas_get_num_threads";

  /** Looked up once: {@code Loader.addressof} searches every loaded library. */
  private static final class Symbols {
    static final Function SETTER = function(SET);
    static final Function GETTER = function(GET);
  }

  private BlasThreads() {}

  /** Sets OpenBLAS's threads; false when this libtorch has no OpenBLAS to set. */
  public static boolean set(int n) {
    Function f = Symbols.SETTER;
    if (f == null) {
      return false;
    }
    f.invokeVoid(new Object[] {n});
    return true;
  }

  /** OpenBLAS's current thread count, or -1 when there is none. */
  public static int get() {
    Function f = Symbols.GETTER;
    return f == null ? -1 : f.invokeInt(new Object[0]);
  }

  private static Function function(String symbol) {
    Loader.load(org.bytedeco.pytorch.global.torch.class);
    org.bytedeco.javacpp.Pointer p = Loader.addressof(symbol);
    if (p == null || p.isNull()) {
      return null;
    }
    return Function.getFunction(new Pointer(p.address()));
  }
}
