package dev.virft.tensor;

import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.MemoryFormatOptional;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorArrayRef;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * The one bridge between Java arrays and libtorch tensors (new tensors are CPU, contiguous, owned by
 * libtorch; reads accept any dtype, device or layout), the hand-over of a result out of an inner
 * {@link PointerScope}, and shorthand for common calls.
 */
public final class Tensors {
  private Tensors() {}

  public static long[] shape(Tensor t) {
    return t.sizes().vec().get();
  }

  /** An uninitialised CPU tensor. */
  public static Tensor empty(torch.ScalarType type, long... shape) {
    return torch.empty(shape, new TensorOptions(type), new MemoryFormatOptional());
  }

  public static Tensor longs(long[] data, long... shape) {
    Tensor t = empty(torch.ScalarType.Long, shape);
    if (data.length > 0) {
      new LongPointer(t.data_ptr()).capacity(data.length).put(data);
    }
    return t;
  }

  public static Tensor floats(float[] data, long... shape) {
    Tensor t = empty(torch.ScalarType.Float, shape);
    if (data.length > 0) {
      new FloatPointer(t.data_ptr()).capacity(data.length).put(data);
    }
    return t;
  }

  /** uint8 values (pixels). */
  public static Tensor bytes(byte[] data, long... shape) {
    Tensor t = empty(torch.ScalarType.Byte, shape);
    if (data.length > 0) {
      t.data_ptr_byte().put(data, 0, data.length);
    }
    return t;
  }

  /** float32 from doubles (per-step values such as advantages). */
  public static Tensor doublesAsFloat(double[] data, long... shape) {
    float[] f = new float[data.length];
    for (int i = 0; i < f.length; i++) {
      f[i] = (float) data[i];
    }
    return floats(f, shape);
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

  /** All values as float64, any dtype/device/layout. */
  public static double[] toDoubles(Tensor t) {
    Tensor c = t.detach().cpu().to(torch.ScalarType.Double).contiguous();
    double[] out = new double[(int) c.numel()];
    if (out.length > 0) {
      new DoublePointer(c.data_ptr()).capacity(out.length).get(out);
    }
    return out;
  }

  /** The bytes of a uint8 CPU tensor. */
  public static byte[] toBytes(Tensor t) {
    Tensor c = t.contiguous();
    byte[] out = new byte[(int) c.numel()];
    if (out.length > 0) {
      c.data_ptr_byte().get(out);
    }
    return out;
  }

  /**
   * Moves a result out of the scope it was made in (which is about to close) into the caller's scope,
   * if the caller has one; otherwise the garbage collector owns it. Call {@link #adopt} once the inner
   * scope is closed.
   */
  public static Tensor keep(PointerScope inner, Tensor t) {
    // attach() retains and detach() releases: retain once more so detaching does not free it.
    t.retainReference();
    inner.detach(t);
    return t;
  }

  /** Call after the inner scope closed: hands a {@link #keep kept} tensor to the caller's scope, if any. */
  public static Tensor adopt(Tensor t) {
    PointerScope outer = PointerScope.getInnerScope();
    if (outer != null) {
      outer.attach(t);
      t.releaseReference();
    }
    return t;
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
