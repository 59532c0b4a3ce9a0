package dev.virft.rl;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/** Copies between Java arrays and (CPU) tensors; used for small per-step values only. */
public final class TensorData {
  private TensorData() {}

  public static Tensor floats(float[] data, long... shape) {
    return Tensor.create(data, shape).clone();
  }

  public static Tensor doublesAsFloat(double[] data, long... shape) {
    float[] f = new float[data.length];
    for (int i = 0; i < f.length; i++) {
      f[i] = (float) data[i];
    }
    return floats(f, shape);
  }

  public static Tensor longs(long[] data, long... shape) {
    return Tensor.create(data, shape).clone();
  }

  public static float[] toFloats(Tensor t) {
    Tensor c = cpu(t).to(ScalarType.Float).contiguous();
    FloatBuffer b = c.createBuffer();
    float[] out = new float[(int) c.numel()];
    b.get(out);
    return out;
  }

  public static double[] toDoubles(Tensor t) {
    Tensor c = cpu(t).to(ScalarType.Double).contiguous();
    DoubleBuffer b = c.createBuffer();
    double[] out = new double[(int) c.numel()];
    b.get(out);
    return out;
  }

  public static long[] toLongs(Tensor t) {
    Tensor c = cpu(t).to(ScalarType.Long).contiguous();
    LongBuffer b = c.createBuffer();
    long[] out = new long[(int) c.numel()];
    b.get(out);
    return out;
  }

  private static Tensor cpu(Tensor t) {
    Tensor d = t.detach();
    return d.is_cuda() ? d.cpu() : d;
  }

  static boolean allFinite(Tensor t) {
    return torch.isfinite(t).all().item_bool();
  }
}
