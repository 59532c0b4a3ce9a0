package dev.virft.data;

import dev.virft.util.VirftException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns one row (column name → plain Java value, as every reader produces it) into a {@link Sample}:
 * finds the image ({@code image} as {bytes, path} struct, bytes or path string, or {@code image_path}),
 * checks {@code problem}/{@code solution} are strings, and keeps every other column.
 */
final class RowDecoder {
  static final List<String> IMAGE_COLUMNS = List.of("image", "image_path");

  private RowDecoder() {}

  /** Fails, naming the file, when a required column is absent from a declared schema. */
  static void requireColumns(Path file, Collection<String> names) {
    for (String required : List.of("problem", "solution")) {
      if (!names.contains(required)) {
        throw new VirftException(
            file + ": dataset without `" + required + "` column (columns: " + String.join(", ", names) + ")");
      }
    }
    if (names.stream().noneMatch(IMAGE_COLUMNS::contains)) {
      throw new VirftException(
          file + ": dataset without `image` (or `image_path`) column (columns: " + String.join(", ", names) + ")");
    }
  }

  /**
   * @param baseDir where relative image paths are resolved (the dataset file's directory)
   */
  static Sample decode(Map<String, Object> row, RowSource src, Path baseDir) {
    requireColumnsInRow(row, src);
    SampleImage image = image(row, src, baseDir);
    String problem = string(row, "problem", src);
    String solution = string(row, "solution", src);
    Map<String, Object> rest = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : row.entrySet()) {
      String k = e.getKey();
      if (!k.equals("problem") && !k.equals("solution") && !IMAGE_COLUMNS.contains(k) && e.getValue() != null) {
        rest.put(k, e.getValue());
      }
    }
    return new Sample(image, problem, solution, rest, src);
  }

  private static void requireColumnsInRow(Map<String, Object> row, RowSource src) {
    for (String required : List.of("problem", "solution")) {
      if (!row.containsKey(required)) {
        throw new VirftException(src + ": row without `" + required + "` (keys: " + String.join(", ", row.keySet()) + ")");
      }
    }
  }

  static String string(Map<String, Object> row, String key, RowSource src) {
    Object v = row.get(key);
    if (v == null) {
      throw new VirftException(src + ": `" + key + "` is null, expected a string");
    }
    if (!(v instanceof String s)) {
      throw new VirftException(src + ": `" + key + "` is " + typeName(v) + ", expected a string");
    }
    return s;
  }

  private static SampleImage image(Map<String, Object> row, RowSource src, Path baseDir) {
    Object v = row.containsKey("image") ? row.get("image") : row.get("image_path");
    String key = row.containsKey("image") ? "image" : "image_path";
    if (v == null) {
      throw new VirftException(src + ": `" + key + "` is null, expected an image (bytes or a file path)");
    }
    if (v instanceof Map<?, ?> m) {
      Object bytes = m.get("bytes");
      Object path = m.get("path");
      if (bytes instanceof byte[] b) {
        return SampleImage.ofBytes(b, path instanceof String p ? Path.of(p) : null, src);
      }
      if (bytes != null) {
        throw new VirftException(src + ": `image.bytes` is " + typeName(bytes) + ", expected binary");
      }
      if (path instanceof String p) {
        return SampleImage.ofFile(ImagePaths.resolve(baseDir, p, src), src);
      }
      throw new VirftException(src + ": `image` has neither `bytes` nor `path`");
    }
    if (v instanceof byte[] b) {
      return SampleImage.ofBytes(b, null, src);
    }
    if (v instanceof String p) {
      return SampleImage.ofFile(ImagePaths.resolve(baseDir, p, src), src);
    }
    throw new VirftException(
        src + ": `" + key + "` is " + typeName(v) + ", expected {bytes, path}, bytes or a path string");
  }

  static String typeName(Object v) {
    if (v instanceof String) return "a string";
    if (v instanceof Long || v instanceof Integer) return "an integer";
    if (v instanceof Double || v instanceof Float) return "a float";
    if (v instanceof Boolean) return "a boolean";
    if (v instanceof byte[]) return "binary";
    if (v instanceof List<?>) return "a list";
    if (v instanceof Map<?, ?>) return "a struct/object";
    return v.getClass().getSimpleName();
  }
}
