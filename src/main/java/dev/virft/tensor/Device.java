package dev.virft.tensor;

import dev.virft.util.VirftException;
import org.bytedeco.pytorch.global.torch;

/**
 * Where tensors live and in which precision they are computed: float32 on the CPU; on CUDA bf16
 * compute with float32 master weights (parameters stay float32, forward passes cast them).
 */
public enum Device {
  CPU,
  CUDA;

  public org.bytedeco.pytorch.Device torchDevice() {
    return this == CPU
        ? new org.bytedeco.pytorch.Device(torch.DeviceType.CPU)
        : new org.bytedeco.pytorch.Device(torch.DeviceType.CUDA, (byte) 0);
  }

  /**
   * The dtype matmuls and activations run in. The system property {@code virft.cpu.bf16=true} makes the
   * CPU compute in bf16 as well, so the CUDA precision path can be exercised on machines without a GPU.
   */
  public torch.ScalarType computeType() {
    if (this == CPU && !Boolean.getBoolean("virft.cpu.bf16")) {
      return torch.ScalarType.Float;
    }
    return torch.ScalarType.BFloat16;
  }

  /** Parses "cpu" / "cuda" (case-insensitive); "auto" picks CUDA when libtorch sees a GPU. */
  public static Device parse(String name) {
    switch (name.toLowerCase(java.util.Locale.ROOT)) {
      case "cpu":
        return CPU;
      case "cuda":
      case "gpu":
        if (!torch.cuda_is_available()) {
          throw new VirftException("device 'cuda' requested but libtorch sees no CUDA GPU "
              + "(build with -Pgpu on a machine with a GPU)");
        }
        return CUDA;
      case "auto":
        return torch.cuda_is_available() ? CUDA : CPU;
      default:
        throw new VirftException("device '" + name + "': expected cpu, cuda or auto");
    }
  }
}
