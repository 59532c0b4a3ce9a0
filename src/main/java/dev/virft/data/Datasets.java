package dev.virft.data;

import com.fasterxml.jackson.databind.JsonNode;
import dev.virft.util.Json;
import dev.virft.util.VirftException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Opens a dataset in whichever layout it is stored, found from what is on disk. */
public final class Datasets {
  public static final String DEFAULT_SPLIT = "train";

  private Datasets() {}

  /** {@link #open(Path, String)} with the {@code train} split (the original's default). */
  public static DatasetReader open(Path path) {
    return open(path, DEFAULT_SPLIT);
  }

  /**
   * Opens, and reads the first row so that a missing column, a wrong type, an unreadable shard or an
   * empty dataset fails here with the file and row named, not in the middle of training.
   *
   * <ul>
   *   <li>directory with {@code dataset_dict.json}: HF DatasetDict, split {@code split};
   *   <li>directory with {@code state.json}: one HF split;
   *   <li>directory with {@code *.parquet} (directly, under {@code data/}, or {@code data/<split>/}):
   *       the shards whose names start with {@code <split>-} if any, else all;
   *   <li>directory with {@code data.jsonl} (what {@link DatasetFormat#JSONL} writes);
   *   <li>a {@code .parquet}, {@code .arrow}, {@code .json} or {@code .jsonl} file.
   * </ul>
   */
  public static DatasetReader open(Path path, String split) {
    DatasetReader reader = detect(path, split);
    try (SampleIterator it = reader.iterator()) {
      if (!it.hasNext()) {
        throw new VirftException(path + ": empty dataset (0 rows)");
      }
      it.next();
    }
    return reader;
  }

  /** The reader for what is on disk, without reading a row. */
  static DatasetReader detect(Path path, String split) {
    if (Files.isDirectory(path)) {
      Path dict = path.resolve("dataset_dict.json");
      if (Files.isRegularFile(dict)) {
        JsonNode splits = Json.read(dict).get("splits");
        if (splits == null || !splits.isArray()) {
          throw new VirftException(dict + ": field `splits` missing, expected a list of split names");
        }
        List<String> names = new ArrayList<>();
        splits.forEach(s -> names.add(s.asText()));
        if (!names.contains(split)) {
          throw new VirftException(dict + ": no split '" + split + "' (splits: " + String.join(", ", names) + ")");
        }
        return ArrowDatasetReader.openSplit(path.resolve(split));
      }
      if (Files.isRegularFile(path.resolve("state.json"))) {
        return ArrowDatasetReader.openSplit(path);
      }
      if (Files.isRegularFile(path.resolve(JsonlDatasetWriter.FILE))) {
        return JsonDatasetReader.open(path.resolve(JsonlDatasetWriter.FILE));
      }
      List<Path> parquet = parquetShards(path, split);
      if (!parquet.isEmpty()) {
        return ParquetDatasetReader.open(path, parquet);
      }
      throw new VirftException(path + ": not a dataset directory: expected dataset_dict.json, state.json, data.jsonl or *.parquet files");
    }
    if (!Files.isRegularFile(path)) {
      throw new VirftException(path + ": dataset not found");
    }
    String name = path.getFileName().toString();
    if (name.endsWith(".parquet")) return ParquetDatasetReader.open(path, List.of(path));
    if (name.endsWith(".arrow")) return ArrowDatasetReader.openShard(path);
    if (name.endsWith(".json") || name.endsWith(".jsonl")) return JsonDatasetReader.open(path);
    throw new VirftException(path + ": unknown dataset file type (expected .parquet, .arrow, .json or .jsonl)");
  }

  private static List<Path> parquetShards(Path dir, String split) {
    for (Path d : List.of(dir.resolve("data").resolve(split), dir.resolve("data"), dir.resolve(split), dir)) {
      if (!Files.isDirectory(d)) continue;
      List<Path> all = list(d);
      if (all.isEmpty()) continue;
      List<Path> ofSplit = all.stream().filter(p -> p.getFileName().toString().startsWith(split + "-")).toList();
      return ofSplit.isEmpty() ? all : ofSplit;
    }
    return List.of();
  }

  private static List<Path> list(Path d) {
    try (Stream<Path> s = Files.list(d)) {
      return s.filter(p -> p.getFileName().toString().endsWith(".parquet") && Files.isRegularFile(p)).sorted().toList();
    } catch (IOException e) {
      throw new VirftException(d + ": cannot list: " + e.getMessage(), e);
    }
  }
}
