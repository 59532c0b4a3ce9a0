package dev.virft.processor;

import com.fasterxml.jackson.databind.JsonNode;
import dev.virft.util.Json;
import dev.virft.util.VirftException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Settings of the Qwen2-VL image processor, with transformers' defaults, read from a checkpoint's
 * {@code preprocessor_config.json} when there is one.
 */
public record ImageProcessorConfig(
    long minPixels,
    long maxPixels,
    int patchSize,
    int temporalPatchSize,
    int mergeSize,
    double[] imageMean,
    double[] imageStd,
    double rescaleFactor,
    boolean doResize,
    boolean doRescale,
    boolean doNormalize,
    ResizeMode resizeMode) {

  /** OPENAI_CLIP_MEAN / OPENAI_CLIP_STD, transformers' defaults for Qwen2-VL. */
  public static final double[] CLIP_MEAN = {0.48145466, 0.4578275, 0.40821073};

  public static final double[] CLIP_STD = {0.26862954, 0.26130258, 0.27577711};

  public ImageProcessorConfig {
    if (minPixels <= 0 || maxPixels < minPixels) {
      throw new VirftException("image processor: min_pixels " + minPixels + " / max_pixels " + maxPixels
          + ": expected 0 < min_pixels <= max_pixels");
    }
    if (patchSize <= 0 || temporalPatchSize <= 0 || mergeSize <= 0) {
      throw new VirftException("image processor: patch_size, temporal_patch_size and merge_size must be positive");
    }
    if (imageMean.length != 3 || imageStd.length != 3) {
      throw new VirftException("image processor: image_mean and image_std must hold 3 values");
    }
    imageMean = imageMean.clone();
    imageStd = imageStd.clone();
  }

  /** transformers 5.x defaults: min 56*56, max 28*28*1280 pixels, patch 14, temporal 2, merge 2. */
  public static ImageProcessorConfig defaults() {
    return new ImageProcessorConfig(56 * 56, 28 * 28 * 1280, 14, 2, 2, CLIP_MEAN, CLIP_STD, 1 / 255.0,
        true, true, true, ResizeMode.TORCH);
  }

  public ImageProcessorConfig withPixels(long min, long max) {
    return new ImageProcessorConfig(min, max, patchSize, temporalPatchSize, mergeSize, imageMean, imageStd,
        rescaleFactor, doResize, doRescale, doNormalize, resizeMode);
  }

  public ImageProcessorConfig withResizeMode(ResizeMode mode) {
    return new ImageProcessorConfig(minPixels, maxPixels, patchSize, temporalPatchSize, mergeSize, imageMean,
        imageStd, rescaleFactor, doResize, doRescale, doNormalize, mode);
  }

  /** {@code dir/preprocessor_config.json} when present, the defaults otherwise. */
  public static ImageProcessorConfig fromCheckpoint(Path dir) {
    Path file = dir.resolve("preprocessor_config.json");
    return Files.isRegularFile(file) ? fromJson(Json.read(file), file.toString()) : defaults();
  }

  /**
   * Reads the fields transformers reads: {@code size.shortest_edge/longest_edge} (or the older
   * {@code size.min_pixels/max_pixels}), overridden by top-level {@code min_pixels/max_pixels}, as
   * {@code Qwen2VLImageProcessor.__init__} does.
   */
  public static ImageProcessorConfig fromJson(JsonNode n, String file) {
    ImageProcessorConfig d = defaults();
    long min = d.minPixels;
    long max = d.maxPixels;
    JsonNode size = n.get("size");
    if (size != null && size.isObject()) {
      min = longField(size, "shortest_edge", longField(size, "min_pixels", min, file), file);
      max = longField(size, "longest_edge", longField(size, "max_pixels", max, file), file);
    }
    min = longField(n, "min_pixels", min, file);
    max = longField(n, "max_pixels", max, file);
    JsonNode resample = n.get("resample");
    if (resample != null && !resample.isNull() && resample.asInt(-1) != 3) {
      throw new VirftException(file + ": field 'resample' is " + resample + "; only 3 (bicubic) is supported");
    }
    return new ImageProcessorConfig(min, max,
        (int) longField(n, "patch_size", d.patchSize, file),
        (int) longField(n, "temporal_patch_size", d.temporalPatchSize, file),
        (int) longField(n, "merge_size", d.mergeSize, file),
        triple(n, "image_mean", d.imageMean, file),
        triple(n, "image_std", d.imageStd, file),
        doubleField(n, "rescale_factor", d.rescaleFactor, file),
        boolField(n, "do_resize", true, file),
        boolField(n, "do_rescale", true, file),
        boolField(n, "do_normalize", true, file),
        ResizeMode.TORCH);
  }

  private static long longField(JsonNode n, String field, long dflt, String file) {
    JsonNode v = n.get(field);
    if (v == null || v.isNull()) {
      return dflt;
    }
    if (!v.canConvertToLong() || !v.isIntegralNumber()) {
      throw new VirftException(file + ": field '" + field + "' is " + v + "; expected an integer");
    }
    return v.asLong();
  }

  private static double doubleField(JsonNode n, String field, double dflt, String file) {
    JsonNode v = n.get(field);
    if (v == null || v.isNull()) {
      return dflt;
    }
    if (!v.isNumber()) {
      throw new VirftException(file + ": field '" + field + "' is " + v + "; expected a number");
    }
    return v.asDouble();
  }

  private static boolean boolField(JsonNode n, String field, boolean dflt, String file) {
    JsonNode v = n.get(field);
    if (v == null || v.isNull()) {
      return dflt;
    }
    if (!v.isBoolean()) {
      throw new VirftException(file + ": field '" + field + "' is " + v + "; expected true or false");
    }
    return v.asBoolean();
  }

  private static double[] triple(JsonNode n, String field, double[] dflt, String file) {
    JsonNode v = n.get(field);
    if (v == null || v.isNull()) {
      return dflt;
    }
    if (v.isNumber()) {
      return new double[] {v.asDouble(), v.asDouble(), v.asDouble()};
    }
    if (!v.isArray() || v.size() != 3) {
      throw new VirftException(file + ": field '" + field + "' is " + v + "; expected a list of 3 numbers");
    }
    double[] out = new double[3];
    for (int i = 0; i < 3; i++) {
      if (!v.get(i).isNumber()) {
        throw new VirftException(file + ": field '" + field + "' is " + v + "; expected a list of 3 numbers");
      }
      out[i] = v.get(i).asDouble();
    }
    return out;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ImageProcessorConfig c && c.minPixels == minPixels && c.maxPixels == maxPixels
        && c.patchSize == patchSize && c.temporalPatchSize == temporalPatchSize && c.mergeSize == mergeSize
        && Arrays.equals(c.imageMean, imageMean) && Arrays.equals(c.imageStd, imageStd)
        && c.rescaleFactor == rescaleFactor && c.doResize == doResize && c.doRescale == doRescale
        && c.doNormalize == doNormalize && c.resizeMode == resizeMode;
  }

  @Override
  public int hashCode() {
    return Long.hashCode(minPixels * 31 + maxPixels) ^ Arrays.hashCode(imageMean) ^ resizeMode.hashCode();
  }

  @Override
  public String toString() {
    return "ImageProcessorConfig[min_pixels=" + minPixels + ", max_pixels=" + maxPixels + ", patch=" + patchSize
        + ", temporal=" + temporalPatchSize + ", merge=" + mergeSize + ", mean=" + Arrays.toString(imageMean)
        + ", std=" + Arrays.toString(imageStd) + ", rescale=" + rescaleFactor + ", resize=" + resizeMode + "]";
  }
}
