package dev.virft.processor;

import dev.virft.util.VirftException;
import java.util.Locale;

/** Which bicubic resize the image processor uses. */
public enum ResizeMode {
  /**
   * transformers 5.x's default (torchvision backend): libtorch's antialiased bicubic on the uint8 image,
   * the reference behaviour.
   */
  TORCH,
  /**
   * PIL's bicubic on the uint8 image (transformers' PIL backend, what the original Visual-RFT ran);
   * may differ from TORCH by one uint8 step at some pixels.
   */
  PIL;

  public static ResizeMode parse(String s) {
    try {
      return valueOf(s.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new VirftException("resize mode '" + s + "': expected torch or pil");
    }
  }
}
