package dev.virft.data;

import dev.virft.py.PyJson;
import dev.virft.util.VirftException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The columns a writer emits: image, problem, solution, then the extra columns of the first sample
 * (scalar types only: string, int64, float64, bool), plus the HF {@code features} that describe them.
 */
final class OutputSchema {
  enum Kind {
    STRING("string"),
    INT64("int64"),
    FLOAT64("float64"),
    BOOL("bool");

    final String dtype;

    Kind(String dtype) {
      this.dtype = dtype;
    }
  }

  record Extra(String name, Kind kind) {}

  final List<Extra> extras;

  private OutputSchema(List<Extra> extras) {
    this.extras = extras;
  }

  static OutputSchema of(Sample first) {
    List<Extra> extras = new ArrayList<>();
    first.columns().forEach((k, v) -> extras.add(new Extra(k, kindOf(k, v, first.source()))));
    return new OutputSchema(List.copyOf(extras));
  }

  private static Kind kindOf(String name, Object v, RowSource src) {
    if (v instanceof String) return Kind.STRING;
    if (v instanceof Long || v instanceof Integer) return Kind.INT64;
    if (v instanceof Double || v instanceof Float) return Kind.FLOAT64;
    if (v instanceof Boolean) return Kind.BOOL;
    throw new VirftException(src + ": column `" + name + "` is " + RowDecoder.typeName(v)
        + "; only string, integer, float and boolean extra columns can be written");
  }

  /** The value of an extra column in a sample, checked against the first sample's type. */
  Object value(Sample s, Extra e) {
    Object v = s.columns().get(e.name());
    if (v == null) return null;
    Kind k = kindOf(e.name(), v, s.source());
    if (k != e.kind()) {
      throw new VirftException(s.source() + ": column `" + e.name() + "` is " + RowDecoder.typeName(v)
          + " but was " + e.kind().dtype + " in the first row");
    }
    return v;
  }

  void checkNoNewColumns(Sample s) {
    for (String k : s.columns().keySet()) {
      if (extras.stream().noneMatch(e -> e.name().equals(k))) {
        throw new VirftException(s.source() + ": column `" + k + "` is not in the first row; every row needs the same columns");
      }
    }
  }

  /** HF {@code features}: {"image": {"_type": "Image"}, "problem": {"dtype": "string", "_type": "Value"}, ...}. */
  Map<String, Object> features() {
    Map<String, Object> f = new LinkedHashMap<>();
    f.put("image", Map.of("_type", "Image"));
    f.put("problem", value("string"));
    f.put("solution", value("string"));
    for (Extra e : extras) f.put(e.name(), value(e.kind().dtype));
    return f;
  }

  private static Map<String, Object> value(String dtype) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("dtype", dtype);
    m.put("_type", "Value");
    return m;
  }

  /** The schema metadata HF datasets reads to restore feature types (Arrow and parquet alike). */
  String huggingfaceMetadata() {
    return PyJson.dumps(Map.of("info", Map.of("features", features())));
  }
}
