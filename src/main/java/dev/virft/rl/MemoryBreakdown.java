package dev.virft.rl;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;

/**
 * Where a GRPO step's memory goes, by tensor sizes (weights, kept compute copies, optimizer moments,
 * gradients, reference model, KV cache) plus the measured growth of the process over the policy's
 * forward pass (the activations autograd keeps for the backward), for {@code virft bench grpo}.
 */
public final class MemoryBreakdown {
  private final Map<String, Long> bytes = new LinkedHashMap<>();
  private final Map<String, String> notes = new LinkedHashMap<>();

  public MemoryBreakdown add(String what, long size, String note) {
    bytes.merge(what, size, Long::sum);
    if (note != null) {
      notes.put(what, note);
    }
    return this;
  }

  public static long bytesOf(Collection<Tensor> tensors) {
    long total = 0;
    for (Tensor t : tensors) {
      if (t != null && t.defined()) {
        total += t.numel() * t.element_size();
      }
    }
    return total;
  }

  /** Gradients currently allocated on these parameters. */
  public static long gradientBytes(Collection<Tensor> params) {
    long total = 0;
    for (Tensor p : params) {
      Tensor g = p.grad();
      if (g.defined()) {
        total += g.numel() * g.element_size();
      }
    }
    return total;
  }

  public Map<String, Long> asMap() {
    return bytes;
  }

  /** One line per part, MiB and share of the total. */
  public String table() {
    long total = bytes.values().stream().mapToLong(Long::longValue).sum();
    StringBuilder sb = new StringBuilder("memory by part (MiB):\n");
    for (Map.Entry<String, Long> e : bytes.entrySet()) {
      String note = notes.get(e.getKey());
      sb.append(String.format(Locale.ROOT, "  %-12s %10.1f  %5.1f %%%s%n", e.getKey(), e.getValue() / 1048576.0,
          total == 0 ? 0.0 : 100.0 * e.getValue() / total, note == null ? "" : "  (" + note + ")"));
    }
    sb.append(String.format(Locale.ROOT, "  %-12s %10.1f", "total", total / 1048576.0));
    return sb.toString();
  }
}
