package dev.virft.processor;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.MemoryFormatOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;

/** Small bridges between Java arrays and CPU tensors, used by the processor classes. */
final class Tensors {
  private Tensors() {}

  static Tensor empty(torch.ScalarType type, long... shape) {
    return torch.empty(shape, new TensorOptions(type), new MemoryFormatOptional());
  }

  static Tensor ofBytes(byte[] data, long... shape) {
    Tensor t = empty(torch.ScalarType.Byte, shape);
    t.data_ptr_byte().put(data, 0, data.length);
    return t;
  }

  static Tensor ofFloats(float[] data, long... shape) {
    Tensor t = empty(torch.ScalarType.Float, shape);
    t.data_ptr_float().put(data, 0, data.length);
    return t;
  }

  static Tensor ofLongs(long[] data, long... shape) {
    Tensor t = empty(torch.ScalarType.Long, shape);
    t.data_ptr_long().put(data, 0, data.length);
    return t;
  }

  static byte[] toBytes(Tensor t) {
    Tensor c = t.contiguous();
    byte[] out = new byte[(int) c.numel()];
    c.data_ptr_byte().get(out);
    return out;
  }

  /**
   * Moves a result out of the scope it was made in (which is about to close) into the caller's scope,
   * if the caller has one; otherwise the garbage collector owns it.
   */
  static Tensor keep(PointerScope inner, Tensor t) {
    // attach() retains and detach() releases: retain once more so detaching does not free it.
    t.retainReference();
    inner.detach(t);
    return t;
  }

  /** Call after the inner scope closed: hands a kept tensor to the caller's scope, if any. */
  static Tensor adopt(Tensor t) {
    PointerScope outer = PointerScope.getInnerScope();
    if (outer != null) {
      outer.attach(t);
      t.releaseReference();
    }
    return t;
  }
}
