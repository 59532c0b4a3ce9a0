package dev.virft.tensor;

import dev.virft.util.VirftException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.bytedeco.pytorch.Tensor;

/**
 * Named tensors in insertion order, remembering where they came from so that a missing or misshapen
 * tensor is reported with its source.
 */
public final class StateDict {
  private final Map<String, Tensor> tensors = new LinkedHashMap<>();
  private final String source;

  public StateDict(String source) {
    this.source = source;
  }

  public String source() {
    return source;
  }

  public Tensor get(String name) {
    Tensor t = tensors.get(name);
    if (t == null) {
      throw new VirftException(source + ": missing tensor '" + name + "'");
    }
    return t;
  }

  /** The tensor, checked to have exactly this shape. */
  public Tensor get(String name, long... shape) {
    Tensor t = get(name);
    long[] actual = t.sizes().vec().get();
    if (!java.util.Arrays.equals(actual, shape)) {
      throw new VirftException(
          source + ": tensor '" + name + "' has shape " + java.util.Arrays.toString(actual)
              + ", expected " + java.util.Arrays.toString(shape));
    }
    return t;
  }

  public Tensor getOrNull(String name) {
    return tensors.get(name);
  }

  public boolean contains(String name) {
    return tensors.containsKey(name);
  }

  public StateDict put(String name, Tensor t) {
    tensors.put(name, t);
    return this;
  }

  public Tensor remove(String name) {
    return tensors.remove(name);
  }

  public Set<String> names() {
    return Collections.unmodifiableSet(tensors.keySet());
  }

  public Map<String, Tensor> asMap() {
    return Collections.unmodifiableMap(tensors);
  }

  public int size() {
    return tensors.size();
  }
}
