package dev.virft.data;

import dev.virft.py.PyJson;
import dev.virft.util.VirftException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.StructVector;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Writes the HF {@code DatasetDict.save_to_disk} layout that {@code datasets.load_from_disk} (and the
 * original training script) reads: {@code dataset_dict.json}, and in {@code <split>/} the Arrow IPC
 * stream shards {@code data-0000k-of-0000n.arrow}, {@code dataset_info.json} (features) and
 * {@code state.json} (shard list). The schema carries the {@code huggingface} metadata as HF writes it.
 */
final class SaveToDiskWriter {
  /** Rows per record batch: HF's batch size for image datasets, so memory stays bounded. */
  static final int BATCH_ROWS = 100;

  private final String split;
  private final long maxShardBytes;

  SaveToDiskWriter(String split, long maxShardBytes) {
    this.split = split;
    this.maxShardBytes = maxShardBytes;
  }

  long write(Path out, Iterator<Sample> rows) throws IOException {
    if (!rows.hasNext()) {
      throw new VirftException(out + ": nothing to write (no rows)");
    }
    Sample first = rows.next();
    OutputSchema schema = OutputSchema.of(first);
    Path splitDir = Files.createDirectories(out.resolve(split));
    Schema arrowSchema = arrowSchema(schema);
    List<Path> shards = new ArrayList<>();
    MessageDigest digest = sha256();
    long count = 0;
    Sample pending = first;
    try (BufferAllocator alloc = new RootAllocator()) {
      while (pending != null) {
        Path shard = splitDir.resolve(".shard-" + shards.size() + ".arrow");
        shards.add(shard);
        try (OutputStream fileOut = new DigestOutputStream(Files.newOutputStream(shard), digest);
            VectorSchemaRoot root = VectorSchemaRoot.create(arrowSchema, alloc);
            ArrowStreamWriter writer = new ArrowStreamWriter(root, null, Channels.newChannel(fileOut))) {
          writer.start();
          long shardBytes = 0;
          while (pending != null && shardBytes < maxShardBytes) {
            root.allocateNew();
            int n = 0;
            while (pending != null && n < BATCH_ROWS) {
              schema.checkNoNewColumns(pending);
              shardBytes += setRow(root, schema, n++, pending);
              count++;
              pending = rows.hasNext() ? rows.next() : null;
            }
            for (FieldVector v : root.getFieldVectors()) v.setValueCount(n);
            root.setRowCount(n);
            writer.writeBatch();
          }
          writer.end();
        }
      }
    }
    List<Map<String, Object>> dataFiles = new ArrayList<>();
    for (int i = 0; i < shards.size(); i++) {
      String name = String.format("data-%05d-of-%05d.arrow", i, shards.size());
      Files.move(shards.get(i), splitDir.resolve(name));
      dataFiles.add(Map.of("filename", name));
    }
    writeString(out.resolve("dataset_dict.json"), PyJson.dumps(Map.of("splits", List.of(split))));
    writeString(splitDir.resolve("dataset_info.json"), PyJson.dumps(datasetInfo(schema), 2));
    writeString(splitDir.resolve("state.json"), PyJson.dumps(state(dataFiles, HexFormat.of().formatHex(digest.digest(), 0, 8)), 2));
    return count;
  }

  private static Map<String, Object> datasetInfo(OutputSchema schema) {
    Map<String, Object> info = new LinkedHashMap<>();
    info.put("citation", "");
    info.put("description", "");
    info.put("features", schema.features());
    info.put("homepage", "");
    info.put("license", "");
    return info;
  }

  private static Map<String, Object> state(List<Map<String, Object>> dataFiles, String fingerprint) {
    Map<String, Object> st = new LinkedHashMap<>();
    st.put("_data_files", dataFiles);
    st.put("_fingerprint", fingerprint);
    st.put("_format_columns", null);
    st.put("_format_kwargs", Map.of());
    st.put("_format_type", null);
    st.put("_output_all_columns", false);
    st.put("_split", null);
    return st;
  }

  /** HF's arrow types for its features: Image = struct<bytes: binary, path: string>, Value(string) = utf8. */
  static Schema arrowSchema(OutputSchema schema) {
    List<Field> fields = new ArrayList<>();
    fields.add(new Field("image", FieldType.nullable(ArrowType.Struct.INSTANCE), List.of(
        Field.nullable("bytes", ArrowType.Binary.INSTANCE), Field.nullable("path", ArrowType.Utf8.INSTANCE))));
    fields.add(Field.nullable("problem", ArrowType.Utf8.INSTANCE));
    fields.add(Field.nullable("solution", ArrowType.Utf8.INSTANCE));
    for (OutputSchema.Extra e : schema.extras) {
      ArrowType t = switch (e.kind()) {
        case STRING -> ArrowType.Utf8.INSTANCE;
        case INT64 -> new ArrowType.Int(64, true);
        case FLOAT64 -> new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE);
        case BOOL -> ArrowType.Bool.INSTANCE;
      };
      fields.add(Field.nullable(e.name(), t));
    }
    return new Schema(fields, Map.of("huggingface", schema.huggingfaceMetadata()));
  }

  /** Fills row {@code i}; returns about how many bytes it added. */
  private static long setRow(VectorSchemaRoot root, OutputSchema schema, int i, Sample s) {
    StructVector image = (StructVector) root.getVector("image");
    VarBinaryVector bytes = image.getChild("bytes", VarBinaryVector.class);
    VarCharVector path = image.getChild("path", VarCharVector.class);
    byte[] b = s.image().bytes();
    image.setIndexDefined(i);
    bytes.setSafe(i, b);
    path.setNull(i);
    byte[] problem = s.problem().getBytes(StandardCharsets.UTF_8);
    byte[] solution = s.solution().getBytes(StandardCharsets.UTF_8);
    ((VarCharVector) root.getVector("problem")).setSafe(i, problem);
    ((VarCharVector) root.getVector("solution")).setSafe(i, solution);
    long size = b.length + problem.length + solution.length;
    for (OutputSchema.Extra e : schema.extras) {
      Object v = schema.value(s, e);
      FieldVector vec = root.getVector(e.name());
      if (v == null) {
        vec.setNull(i);
        continue;
      }
      switch (e.kind()) {
        case STRING -> ((VarCharVector) vec).setSafe(i, ((String) v).getBytes(StandardCharsets.UTF_8));
        case INT64 -> ((BigIntVector) vec).setSafe(i, ((Number) v).longValue());
        case FLOAT64 -> ((Float8Vector) vec).setSafe(i, ((Number) v).doubleValue());
        case BOOL -> ((BitVector) vec).setSafe(i, (Boolean) v ? 1 : 0);
      }
      size += 8;
    }
    return size;
  }

  private static void writeString(Path p, String s) throws IOException {
    Files.writeString(p, s, StandardCharsets.UTF_8);
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
