package dev.virft.tensor;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorArrayRef;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/** Small conversions between Java arrays and libtorch tensors, and shorthand for common calls. */
public final class Tensors {
  private Tensors() {}

  public static long[] shape(Tensor t) {
    return t.sizes().vec().get();
  }

  public static Tensor longs(long[] data, long... shape) {
    Tensor t = torch.empty(shape, new TensorOptions(torch.ScalarType.Long), new org.bytedeco.pytorch.MemoryFormatOptional());
    if (data.length > 0) {
      new LongPointer(t.data_ptr()).capacity(data.length).put(data);
    }
    return t;
  }

  public static Tensor floats(float[] data, long... shape) {
    Tensor t = torch.empty(shape, new TensorOptions(torch.ScalarType.Float), new org.bytedeco.pytorch.MemoryFormatOptional());
    if (data.length > 0) {
      new FloatPointer(t.data_ptr()).capacity(data.length).put(data);
    }
    return t;
  }

  /** Row-major [rows, cols] int64 tensor from a rectangular array. */
  public static Tensor longs2d(long[][] rows) {
    int r = rows.length;
    int c = r == 0 ? 0 : rows[0].length;
    long[] flat = new long[r * c];
    for (int i = 0; i < r; i++) {
      System.arraycopy(rows[i], 0, flat, i * c, c);
    }
    return longs(flat, r, c);
  }

  /** All values as int64, any dtype/device/layout. */
  public static long[] toLongs(Tensor t) {
    Tensor c = t.detach().cpu().to(torch.ScalarType.Long).contiguous();
    long[] out = new long[(int) c.numel()];
    if (out.length > 0) {
      new LongPointer(c.data_ptr()).capacity(out.length).get(out);
    }
    return out;
  }

  /** A 2-D tensor as rows of int64. */
  public static long[][] toLongs2d(Tensor t) {
    long[] s = shape(t);
    long[] flat = toLongs(t);
    long[][] out = new long[(int) s[0]][(int) s[1]];
    for (int i = 0; i < out.length; i++) {
      System.arraycopy(flat, i * (int) s[1], out[i], 0, (int) s[1]);
    }
    return out;
  }

  /** All values as float32, any dtype/device/layout. */
  public static float[] toFloats(Tensor t) {
    Tensor c = t.detach().cpu().to(torch.ScalarType.Float).contiguous();
    float[] out = new float[(int) c.numel()];
    if (out.length > 0) {
      new FloatPointer(c.data_ptr()).capacity(out.length).get(out);
    }
    return out;
  }

  public static Tensor cat(long dim, Tensor... parts) {
    return torch.cat(new TensorArrayRef(new TensorVector(parts)), dim);
  }

  public static Scalar scalar(double v) {
    return new Scalar(v);
  }

  public static Scalar scalar(long v) {
    return new Scalar(v);
  }
}
