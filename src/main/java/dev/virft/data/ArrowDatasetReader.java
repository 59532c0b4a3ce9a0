package dev.virft.data;

import com.fasterxml.jackson.databind.JsonNode;
import dev.virft.util.Json;
import dev.virft.util.VirftException;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.OptionalLong;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowFileReader;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * One split of a Hugging Face {@code save_to_disk} dataset: a directory whose {@code state.json} lists
 * the Arrow IPC stream shards ({@code _data_files}). Reads one record batch at a time.
 */
public final class ArrowDatasetReader implements DatasetReader {
  /**
   * Upper bound on the Arrow buffers one pass may hold: twice the largest shard plus slack (an
   * uncompressed IPC batch is never larger than its file), so a corrupt length fails cleanly instead
   * of allocating gigabytes.
   */
  private final long allocationLimit;

  private final Path dir;
  private final List<Path> shards;
  private final List<Column> columns;

  private ArrowDatasetReader(Path dir, List<Path> shards) {
    this.dir = dir;
    this.shards = shards;
    long largest = 0;
    for (Path p : shards) {
      try {
        largest = Math.max(largest, Files.size(p));
      } catch (IOException e) {
        throw unreadable(p, e);
      }
    }
    this.allocationLimit = 2 * largest + (64L << 20);
    this.columns = readColumns(shards.get(0));
  }

  /** A split directory holding {@code state.json}. */
  public static ArrowDatasetReader openSplit(Path dir) {
    Path state = dir.resolve("state.json");
    JsonNode files = Json.read(state).get("_data_files");
    if (files == null || !files.isArray()) {
      throw new VirftException(state + ": field `_data_files` missing, expected a list of {\"filename\": ...}");
    }
    List<Path> shards = new ArrayList<>();
    for (JsonNode f : files) {
      JsonNode name = f.get("filename");
      if (name == null || !name.isTextual()) {
        throw new VirftException(state + ": `_data_files` entry without a string `filename`: " + f);
      }
      Path shard = dir.resolve(name.asText()).normalize();
      if (!shard.startsWith(dir.normalize())) {
        throw new VirftException(state + ": shard `" + name.asText() + "` is outside the dataset directory");
      }
      if (!Files.isRegularFile(shard)) {
        throw new VirftException(state + ": shard " + shard + " listed in `_data_files` does not exist");
      }
      shards.add(shard);
    }
    if (shards.isEmpty()) {
      throw new VirftException(state + ": empty dataset (`_data_files` lists no shard)");
    }
    return new ArrowDatasetReader(dir, shards);
  }

  /** A single {@code .arrow} shard. */
  public static ArrowDatasetReader openShard(Path file) {
    return new ArrowDatasetReader(file.getParent() == null ? Path.of(".") : file.getParent(), List.of(file));
  }

  public List<Path> shards() {
    return shards;
  }

  @Override
  public Path location() {
    return dir;
  }

  @Override
  public String layout() {
    return "save_to_disk";
  }

  @Override
  public List<Column> columns() {
    return columns;
  }

  @Override
  public OptionalLong size() {
    return OptionalLong.empty();
  }

  private List<Column> readColumns(Path shard) {
    try (BufferAllocator alloc = new RootAllocator(allocationLimit);
        ArrowReader r = open(shard, alloc)) {
      Schema schema = r.getVectorSchemaRoot().getSchema();
      List<Column> cols = new ArrayList<>();
      List<String> names = new ArrayList<>();
      for (Field f : schema.getFields()) {
        cols.add(new Column(f.getName(), ArrowValues.typeName(f)));
        names.add(f.getName());
      }
      RowDecoder.requireColumns(shard, names);
      for (Field f : schema.getFields()) {
        if ((f.getName().equals("problem") || f.getName().equals("solution")) && !isString(f.getType())) {
          throw new VirftException(
              shard + ": column `" + f.getName() + "` is " + ArrowValues.typeName(f) + ", expected string");
        }
      }
      return List.copyOf(cols);
    } catch (VirftException e) {
      throw e;
    } catch (Exception | OutOfMemoryError e) {
      // Arrow allocates a message's metadata from its length prefix before reading it: a corrupt
      // prefix fails that one allocation, which is safe to report as an unreadable shard.
      throw unreadable(shard, e);
    }
  }

  private static boolean isString(ArrowType t) {
    return t.getTypeID() == ArrowType.ArrowTypeID.Utf8 || t.getTypeID() == ArrowType.ArrowTypeID.LargeUtf8;
  }

  /** HF writes the IPC stream format; the IPC file format (magic "ARROW1") is accepted too. */
  private static ArrowReader open(Path shard, BufferAllocator alloc) throws IOException {
    byte[] magic = new byte[6];
    try (InputStream in = Files.newInputStream(shard)) {
      int n = in.readNBytes(magic, 0, 6);
      if (n == 6 && new String(magic, java.nio.charset.StandardCharsets.US_ASCII).equals("ARROW1")) {
        return new ArrowFileReader(FileChannel.open(shard), alloc);
      }
    }
    return new ArrowStreamReader(new BufferedInputStream(Files.newInputStream(shard), 1 << 16), alloc);
  }

  static VirftException unreadable(Path shard, Throwable e) {
    return new VirftException(shard + ": unreadable Arrow IPC shard (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")", e);
  }

  @Override
  public SampleIterator iterator() {
    return new Pass();
  }

  /** One pass: shard by shard, batch by batch. */
  private final class Pass implements SampleIterator {
    private final BufferAllocator alloc = new RootAllocator(allocationLimit);
    private int shardIndex = -1;
    private ArrowReader reader;
    private VectorSchemaRoot root;
    private int rowInBatch;
    private int batchRows;
    private long rowInShard;
    private boolean closed;

    @Override
    public boolean hasNext() {
      if (closed) return false;
      try {
        while (rowInBatch >= batchRows) {
          if (reader != null && reader.loadNextBatch()) {
            batchRows = root.getRowCount();
            rowInBatch = 0;
            continue;
          }
          closeReader();
          if (++shardIndex >= shards.size()) {
            close();
            return false;
          }
          reader = open(shards.get(shardIndex), alloc);
          root = reader.getVectorSchemaRoot();
          rowInShard = 0;
          batchRows = 0;
          rowInBatch = 0;
        }
        return true;
      } catch (VirftException e) {
        close();
        throw e;
      } catch (Exception | OutOfMemoryError e) {
        Path shard = shards.get(Math.min(shardIndex, shards.size() - 1));
        close();
        throw unreadable(shard, e);
      }
    }

    @Override
    public Sample next() {
      if (!hasNext()) throw new NoSuchElementException();
      Path shard = shards.get(shardIndex);
      RowSource src = new RowSource(shard, rowInShard++);
      return RowDecoder.decode(ArrowValues.row(root, rowInBatch++), src, shard.getParent());
    }

    private void closeReader() throws IOException {
      if (reader != null) {
        reader.close();
        reader = null;
        root = null;
      }
    }

    @Override
    public void close() {
      if (closed) return;
      closed = true;
      try {
        closeReader();
      } catch (IOException e) {
        // nothing left to read; a close failure loses no data
      }
      alloc.close();
    }
  }
}
