package dev.virft.model.nn;

import dev.virft.util.VirftException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import org.bytedeco.pytorch.Tensor;

/**
 * Hands each module its weights by hub name, once, when the model is built: a name and its shape are
 * written only where a module binds them. The same binding code run over {@link #layout} lists every
 * parameter and its shape in transformers' module order (what loading checks checkpoints against, and
 * random init and saving follow); run over {@link #of} it takes the masters, each checked by shape.
 */
public final class WeightBinder {
  private final String what;
  private final String prefix;
  private final Function<String, Tensor> lookup; // null: collecting the layout
  private final Map<String, long[]> shapes;

  private WeightBinder(String what, String prefix, Function<String, Tensor> lookup, Map<String, long[]> shapes) {
    this.what = what;
    this.prefix = prefix;
    this.lookup = lookup;
    this.shapes = shapes;
  }

  /** Binds the tensors {@code lookup} gives by full hub name; {@code what} names the model in errors. */
  public static WeightBinder of(String what, Function<String, Tensor> lookup) {
    return new WeightBinder(what, "", lookup, new LinkedHashMap<>());
  }

  /** Collects names and shapes only; every tensor handed out is null. */
  public static WeightBinder layout() {
    return new WeightBinder("layout", "", null, new LinkedHashMap<>());
  }

  /** The same binder under {@code prefix} (e.g. {@code "model.layers.3."}). */
  public WeightBinder under(String more) {
    return new WeightBinder(what, prefix + more, lookup, shapes);
  }

  /** The full hub name of {@code name} under this binder's prefix. */
  public String path(String name) {
    return prefix + name;
  }

  public Tensor take(String name, long... shape) {
    String full = prefix + name;
    if (shapes.put(full, shape) != null) {
      throw new IllegalStateException("weight " + full + " is bound twice");
    }
    if (lookup == null) {
      return null;
    }
    Tensor t = lookup.apply(full);
    if (t == null) {
      throw new VirftException(what + ": weight " + full + " is missing");
    }
    long[] actual = t.sizes().vec().get();
    if (!Arrays.equals(actual, shape)) {
      throw new VirftException(what + ": weight " + full + " has shape " + Arrays.toString(actual)
          + ", expected " + Arrays.toString(shape));
    }
    return t;
  }

  /** Every name bound so far, with its shape, in binding order. */
  public Map<String, long[]> shapes() {
    return shapes;
  }
}
