package dev.virft.data;

import dev.virft.util.VirftException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.OptionalLong;
import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.convert.GroupRecordConverter;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.io.ColumnIOFactory;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.io.RecordReader;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.Type;

/**
 * Parquet shards as the Hugging Face hub serves them ({@code data/train-0000k-of-0000n.parquet}), read
 * one row group at a time.
 *
 * <p>Library choice: parquet-hadoop (the reference Java implementation, maintained by Apache) through
 * its Hadoop-free entry points: {@link LocalInputFile}, {@link PlainParquetConfiguration} and our own
 * {@link ParquetCodecs}. Hadoop's jars are on the class path only because parquet-hadoop's classes
 * link against them; no Hadoop code runs and no Hadoop install is needed. Alternatives looked at: the
 * Arrow dataset module (native C++ per platform), DuckDB JDBC (large native library), parquet-floor
 * (small but unmaintained).
 */
public final class ParquetDatasetReader implements DatasetReader {
  private final Path location;
  private final List<Path> files;
  private final MessageType schema;
  private final long rows;

  private ParquetDatasetReader(Path location, List<Path> files) {
    this.location = location;
    this.files = files;
    MessageType first = null;
    long total = 0;
    for (Path f : files) {
      try (ParquetFileReader r = open(f)) {
        MessageType s = r.getFooter().getFileMetaData().getSchema();
        if (first == null) {
          first = s;
          RowDecoder.requireColumns(f, s.getFields().stream().map(Type::getName).toList());
          for (String col : List.of("problem", "solution")) {
            Type t = s.getType(col);
            if (!isString(t)) {
              throw new VirftException(f + ": column `" + col + "` is " + typeName(t) + ", expected string");
            }
          }
        } else if (!first.equals(s)) {
          throw new VirftException(f + ": schema differs from the first shard " + files.get(0) + ": " + typeName(s) + " vs " + typeName(first));
        }
        for (BlockMetaData b : r.getFooter().getBlocks()) total += b.getRowCount();
      } catch (IOException | RuntimeException e) {
        if (e instanceof VirftException ve) throw ve;
        throw unreadable(f, e);
      }
    }
    this.schema = first;
    this.rows = total;
    if (rows == 0) {
      throw new VirftException(location + ": empty dataset (0 rows in " + files.size() + " parquet file(s))");
    }
  }

  /** @param files the shards, in order (at least one) */
  public static ParquetDatasetReader open(Path location, List<Path> files) {
    if (files.isEmpty()) {
      throw new VirftException(location + ": no parquet files");
    }
    return new ParquetDatasetReader(location, List.copyOf(files));
  }

  public List<Path> files() {
    return files;
  }

  @Override
  public Path location() {
    return location;
  }

  @Override
  public String layout() {
    return "parquet";
  }

  @Override
  public List<Column> columns() {
    List<Column> cols = new ArrayList<>();
    for (Type t : schema.getFields()) cols.add(new Column(t.getName(), typeName(t)));
    return cols;
  }

  @Override
  public OptionalLong size() {
    return OptionalLong.of(rows);
  }

  static ParquetFileReader open(Path f) throws IOException {
    ParquetReadOptions opts =
        ParquetReadOptions.builder(new PlainParquetConfiguration()).withCodecFactory(ParquetCodecs.INSTANCE).build();
    return ParquetFileReader.open(new LocalInputFile(f), opts);
  }

  private static VirftException unreadable(Path f, Throwable e) {
    // parquet-mr names the file by its InputFile's toString (LocalInputFile@64d2d351): say "the file",
    // since the message already starts with its path.
    String m = String.valueOf(e.getMessage()).replaceAll("\\S*LocalInputFile@[0-9a-fA-F]+", "the file");
    boolean truncated = m.contains("is not a Parquet file") || m.contains("length is too low")
        || e instanceof java.io.EOFException;
    return new VirftException(f + ": unreadable parquet file" + (truncated ? ", truncated or not parquet" : "")
        + " (" + e.getClass().getSimpleName() + ": " + m + ")", e);
  }

  private static boolean isString(Type t) {
    return t.isPrimitive()
        && t.asPrimitiveType().getPrimitiveTypeName() == PrimitiveType.PrimitiveTypeName.BINARY
        && LogicalTypeAnnotation.stringType().equals(t.getLogicalTypeAnnotation());
  }

  static String typeName(Type t) {
    if (t.isPrimitive()) {
      PrimitiveType p = t.asPrimitiveType();
      String base = switch (p.getPrimitiveTypeName()) {
        case BINARY, FIXED_LEN_BYTE_ARRAY -> isString(t) ? "string" : "binary";
        case INT32 -> "int32";
        case INT64 -> "int64";
        case BOOLEAN -> "bool";
        case FLOAT -> "float32";
        case DOUBLE -> "float64";
        case INT96 -> "int96";
      };
      return t.isRepetition(Type.Repetition.REPEATED) ? "list<" + base + ">" : base;
    }
    GroupType g = t.asGroupType();
    if (isList(g)) {
      return "list<" + typeName(g.getType(0).asGroupType().getType(0)) + ">";
    }
    List<String> kids = new ArrayList<>();
    for (Type c : g.getFields()) kids.add(c.getName() + ": " + typeName(c));
    return "struct<" + String.join(", ", kids) + ">";
  }

  private static boolean isList(GroupType g) {
    return g.getLogicalTypeAnnotation() instanceof LogicalTypeAnnotation.ListLogicalTypeAnnotation
        && g.getFieldCount() == 1
        && !g.getType(0).isPrimitive()
        && g.getType(0).asGroupType().getFieldCount() == 1;
  }

  /** A parquet record (group) → column name → plain Java value. */
  static Map<String, Object> toMap(Group g) {
    Map<String, Object> out = new LinkedHashMap<>();
    GroupType type = g.getType();
    for (int i = 0; i < type.getFieldCount(); i++) {
      out.put(type.getFieldName(i), fieldValue(g, i));
    }
    return out;
  }

  private static Object fieldValue(Group g, int i) {
    Type t = g.getType().getType(i);
    int n = g.getFieldRepetitionCount(i);
    if (t.isRepetition(Type.Repetition.REPEATED)) {
      List<Object> list = new ArrayList<>(n);
      for (int k = 0; k < n; k++) list.add(value(g, i, k, t));
      return list;
    }
    return n == 0 ? null : value(g, i, 0, t);
  }

  private static Object value(Group g, int i, int k, Type t) {
    if (!t.isPrimitive()) {
      Group child = g.getGroup(i, k);
      if (isList(t.asGroupType())) {
        List<Object> list = new ArrayList<>();
        int m = child.getFieldRepetitionCount(0);
        for (int j = 0; j < m; j++) {
          Group elem = child.getGroup(0, j);
          list.add(elem.getFieldRepetitionCount(0) == 0 ? null : value(elem, 0, 0, elem.getType().getType(0)));
        }
        return list;
      }
      return toMap(child);
    }
    return switch (t.asPrimitiveType().getPrimitiveTypeName()) {
      case BINARY, FIXED_LEN_BYTE_ARRAY -> isString(t) ? g.getString(i, k) : g.getBinary(i, k).getBytes();
      case INT32 -> (long) g.getInteger(i, k);
      case INT64 -> g.getLong(i, k);
      case BOOLEAN -> g.getBoolean(i, k);
      case FLOAT -> (double) g.getFloat(i, k);
      case DOUBLE -> g.getDouble(i, k);
      case INT96 -> g.getInt96(i, k).getBytes();
    };
  }

  @Override
  public SampleIterator iterator() {
    return new Pass();
  }

  private final class Pass implements SampleIterator {
    private int fileIndex = -1;
    private ParquetFileReader reader;
    private RecordReader<Group> records;
    private long leftInGroup;
    private long rowInFile;
    private boolean closed;

    @Override
    public boolean hasNext() {
      if (closed) return false;
      try {
        while (leftInGroup == 0) {
          PageReadStore pages = reader == null ? null : reader.readNextRowGroup();
          if (pages != null) {
            leftInGroup = pages.getRowCount();
            records = new ColumnIOFactory().getColumnIO(schema).getRecordReader(pages, new GroupRecordConverter(schema));
            continue;
          }
          if (reader != null) {
            reader.close();
            reader = null;
          }
          if (++fileIndex >= files.size()) {
            close();
            return false;
          }
          reader = open(files.get(fileIndex));
          rowInFile = 0;
        }
        return true;
      } catch (IOException | RuntimeException e) {
        Path f = files.get(Math.min(fileIndex, files.size() - 1));
        close();
        if (e instanceof VirftException ve) throw ve;
        throw unreadable(f, e);
      }
    }

    @Override
    public Sample next() {
      if (!hasNext()) throw new NoSuchElementException();
      Path f = files.get(fileIndex);
      RowSource src = new RowSource(f, rowInFile++);
      Group g;
      try {
        g = records.read();
      } catch (RuntimeException e) {
        close();
        throw unreadable(f, e);
      }
      leftInGroup--;
      return RowDecoder.decode(toMap(g), src, f.getParent());
    }

    @Override
    public void close() {
      if (closed) return;
      closed = true;
      if (reader != null) {
        try {
          reader.close();
        } catch (IOException e) {
          // reading is over; nothing is lost
        }
        reader = null;
      }
    }
  }
}
