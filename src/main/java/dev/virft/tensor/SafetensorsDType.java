package dev.virft.tensor;

import org.bytedeco.pytorch.global.torch;

/** The safetensors dtype strings we read and write, with their libtorch scalar types. */
public enum SafetensorsDType {
  F64("F64", torch.ScalarType.Double, 8),
  F32("F32", torch.ScalarType.Float, 4),
  F16("F16", torch.ScalarType.Half, 2),
  BF16("BF16", torch.ScalarType.BFloat16, 2),
  I64("I64", torch.ScalarType.Long, 8),
  I32("I32", torch.ScalarType.Int, 4),
  I16("I16", torch.ScalarType.Short, 2),
  I8("I8", torch.ScalarType.Char, 1),
  U8("U8", torch.ScalarType.Byte, 1),
  BOOL("BOOL", torch.ScalarType.Bool, 1);

  public final String code;
  public final torch.ScalarType scalarType;
  public final int bytes;

  SafetensorsDType(String code, torch.ScalarType scalarType, int bytes) {
    this.code = code;
    this.scalarType = scalarType;
    this.bytes = bytes;
  }

  /** Returns null when the code is not one we support. */
  public static SafetensorsDType ofCode(String code) {
    for (SafetensorsDType d : values()) {
      if (d.code.equals(code)) {
        return d;
      }
    }
    return null;
  }

  public static SafetensorsDType of(torch.ScalarType t) {
    for (SafetensorsDType d : values()) {
      if (d.scalarType.value == t.value) {
        return d;
      }
    }
    throw new IllegalArgumentException("no safetensors dtype for " + t);
  }
}
