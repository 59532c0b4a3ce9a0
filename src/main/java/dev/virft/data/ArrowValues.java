package dev.virft.data;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.util.Text;

/** Arrow cells → plain Java values (String, Long, Double, Boolean, byte[], List, Map). */
final class ArrowValues {
  private ArrowValues() {}

  static Map<String, Object> row(VectorSchemaRoot root, int i) {
    Map<String, Object> row = new LinkedHashMap<>();
    for (FieldVector v : root.getFieldVectors()) {
      row.put(v.getName(), plain(v.getObject(i)));
    }
    return row;
  }

  static Object plain(Object o) {
    if (o == null) return null;
    if (o instanceof Text t) return t.toString();
    if (o instanceof Integer || o instanceof Short || o instanceof Byte) return ((Number) o).longValue();
    if (o instanceof Float f) return f.doubleValue();
    if (o instanceof Map<?, ?> m) {
      Map<String, Object> out = new LinkedHashMap<>();
      m.forEach((k, v) -> out.put(String.valueOf(k), plain(v)));
      return out;
    }
    if (o instanceof List<?> l) {
      List<Object> out = new ArrayList<>(l.size());
      l.forEach(x -> out.add(plain(x)));
      return out;
    }
    return o;
  }

  /** A short lower-case type name ("string", "struct<bytes: binary, path: string>"...). */
  static String typeName(Field f) {
    ArrowType t = f.getType();
    return switch (t.getTypeID()) {
      case Utf8, LargeUtf8, Utf8View -> "string";
      case Binary, LargeBinary, BinaryView -> "binary";
      case Bool -> "bool";
      case Int -> {
        ArrowType.Int it = (ArrowType.Int) t;
        yield (it.getIsSigned() ? "int" : "uint") + it.getBitWidth();
      }
      case FloatingPoint -> switch (((ArrowType.FloatingPoint) t).getPrecision()) {
        case HALF -> "float16";
        case SINGLE -> "float32";
        case DOUBLE -> "float64";
      };
      case Struct -> {
        List<String> kids = new ArrayList<>();
        for (Field c : f.getChildren()) kids.add(c.getName() + ": " + typeName(c));
        yield "struct<" + String.join(", ", kids) + ">";
      }
      case List, LargeList, FixedSizeList, ListView -> "list<" + typeName(f.getChildren().get(0)) + ">";
      default -> t.toString();
    };
  }
}
